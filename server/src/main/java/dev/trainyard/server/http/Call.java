package dev.trainyard.server.http;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import dev.trainyard.server.common.ErrorCode;
import dev.trainyard.server.common.PageRequest;
import dev.trainyard.server.common.Principal;
import dev.trainyard.server.common.TrainyardException;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** One HTTP call as a route sees it: the caller, the parsed inputs, and the ways to answer. */
public final class Call {
    private final Context context;
    private final Principal principal;
    private final ObjectMapper mapper;

    Call(Context context, Principal principal, ObjectMapper mapper) {
        this.context = context;
        this.principal = principal;
        this.mapper = mapper;
    }

    /** The authenticated caller; routes marked public have none. */
    public Principal principal() {
        if (principal == null) {
            throw TrainyardException.unauthenticated("credentials are required");
        }
        return principal;
    }

    public String path(String name) {
        return context.pathParam(name);
    }

    public Optional<String> query(String name) {
        String value = context.queryParam(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    /** The first of several synonymous query parameters that is present. */
    public Optional<String> query(String name, String synonym) {
        return query(name).or(() -> query(synonym));
    }

    public Optional<Integer> queryInt(String name, String synonym) {
        return query(name, synonym).map(value -> {
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw TrainyardException.invalid(name, "must be a whole number, got '" + value + "'");
            }
        });
    }

    /** {@code skip}/{@code take}, with {@code offset}/{@code limit} as synonyms. */
    public PageRequest page() {
        return new PageRequest(
                queryInt("skip", "offset").orElse(0), queryInt("take", "limit").orElse(PageRequest.DEFAULT_TAKE));
    }

    public String header(String name) {
        return context.header(name);
    }

    public String clientAddress() {
        return context.ip();
    }

    /** The JSON body as {@code type}; any malformed, mistyped or unknown input is a 400. */
    public <T> T body(Class<T> type) {
        byte[] bytes = context.bodyAsBytes();
        if (bytes.length == 0) {
            throw TrainyardException.of(ErrorCode.MALFORMED_REQUEST, "a JSON request body is required");
        }
        String contentType = context.contentType();
        if (contentType != null && !contentType.toLowerCase(Locale.ROOT).contains("json")) {
            throw TrainyardException.of(
                    ErrorCode.UNSUPPORTED_MEDIA_TYPE, "send the body as application/json, not " + contentType);
        }
        try {
            T value = mapper.readValue(bytes, type);
            if (value == null) {
                throw TrainyardException.of(ErrorCode.MALFORMED_REQUEST, "the request body must be a JSON object");
            }
            return value;
        } catch (IOException e) {
            throw describe(e);
        }
    }

    /** Answers {@code value} as JSON (a String too becomes a JSON string, unlike Javalin's shortcut). */
    public void json(int status, Object value) {
        try {
            context.status(status).contentType("application/json").result(mapper.writeValueAsBytes(value));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write the answer as JSON", e);
        }
    }

    public void ok(Object value) {
        json(200, value);
    }

    public void noContent() {
        context.status(204);
    }

    public Context context() {
        return context;
    }

    /**
     * Starts a server-sent events answer (200, {@code text/event-stream}, no caching or proxy
     * buffering) with a first {@code comment} line, flushed so the client sees it at once.
     */
    public java.io.OutputStream eventStream(String comment) throws IOException {
        jakarta.servlet.http.HttpServletResponse response = context.res();
        response.setStatus(200);
        response.setContentType("text/event-stream");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-cache");
        response.setHeader("X-Accel-Buffering", "no");
        java.io.OutputStream out = response.getOutputStream();
        out.write((": " + comment + "\n\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        out.flush();
        return out;
    }

    /** A message about bad JSON that names the field and never the server's Java types. */
    private static TrainyardException describe(IOException e) {
        if (e instanceof UnrecognizedPropertyException unknown) {
            return TrainyardException.invalid(fieldPath(unknown), "unknown field");
        }
        if (e instanceof ValueInstantiationException instantiation && instantiation.getCause() != null) {
            return TrainyardException.invalid(
                    fieldPath(instantiation), instantiation.getCause().getMessage());
        }
        if (e instanceof InvalidFormatException format) {
            return TrainyardException.invalid(
                    fieldPath(format), "has an invalid value " + abbreviate(String.valueOf(format.getValue())));
        }
        if (e instanceof MismatchedInputException mismatched) {
            String field = fieldPath(mismatched);
            String expected = expectedName(mismatched.getTargetType());
            return field.isEmpty()
                    ? TrainyardException.of(ErrorCode.MALFORMED_REQUEST, "the request body must be a JSON " + expected)
                    : TrainyardException.invalid(field, "must be " + expected);
        }
        if (e instanceof JsonParseException parse) {
            return TrainyardException.of(
                    ErrorCode.MALFORMED_REQUEST,
                    "malformed JSON at line " + parse.getLocation().getLineNr() + ", column "
                            + parse.getLocation().getColumnNr());
        }
        if (e instanceof JacksonException) {
            return TrainyardException.of(ErrorCode.MALFORMED_REQUEST, "the request body is not valid JSON");
        }
        return TrainyardException.of(ErrorCode.MALFORMED_REQUEST, "the request body could not be read");
    }

    private static String fieldPath(JsonMappingException e) {
        return e.getPath().stream()
                .map(reference ->
                        reference.getFieldName() != null ? reference.getFieldName() : "[" + reference.getIndex() + "]")
                .collect(Collectors.joining("."))
                .replace(".[", "[");
    }

    private static String expectedName(Class<?> type) {
        if (type == null) {
            return "value of another type";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "a whole number";
        }
        if (type == Double.class || type == double.class || Number.class.isAssignableFrom(type)) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        if (type.isEnum()) {
            return "one of the allowed values";
        }
        if (java.time.temporal.Temporal.class.isAssignableFrom(type)) {
            return "an RFC 3339 timestamp";
        }
        return "an object";
    }

    private static String abbreviate(String value) {
        return "'" + (value.length() > 40 ? value.substring(0, 40) + "…" : value) + "'";
    }
}
