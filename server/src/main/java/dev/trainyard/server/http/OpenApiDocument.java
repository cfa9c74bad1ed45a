package dev.trainyard.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.trainyard.api.Problem;
import dev.trainyard.server.common.ErrorCode;
import io.swagger.v3.core.converter.AnnotatedType;
import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.core.converter.ResolvedSchema;
import io.swagger.v3.core.jackson.ModelResolver;
import io.swagger.v3.core.util.Json31;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.Paths;
import io.swagger.v3.oas.models.SpecVersion;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.JsonSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.parameters.RequestBody;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.tags.Tag;
import java.io.UncheckedIOException;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The OpenAPI 3.1 document of the route table. It is made from the same {@link Route} values the
 * server registers, so it cannot describe a route the server lacks or miss one it has; schemas
 * come from the API records as the server's own JSON mapper writes them (snake_case, RFC 3339
 * times).
 */
public final class OpenApiDocument {
    static final String BEARER = "bearer";
    static final String API_KEY = "apiKey";
    static final String PROBLEM = "Problem";

    private static final Pattern PATH_PARAMETER = Pattern.compile("\\{([^}/]+)}");
    private static final String INFO_DESCRIPTION = """
            A self-hostable training cloud for machine-learning teams.

            ## Authentication
            Every route except the public ones (health, metrics, these documents, log-in and token \
            exchange) needs credentials, sent one of these ways:

            - `X-API-KEY: ty_...`: an API key (create one at `POST /api/api-keys`; the first \
            administrator's key is in `initial-admin.json` in the server's data folder).
            - `Authorization: Bearer <JWT>`: exchange an API key at `POST /api/auth/token` with the \
            header `x-api-key: ty_...`; the answer is the JWT as a JSON string. Or log in at \
            `POST /api/auth/login` with username and password for a token pair, renewed at \
            `POST /api/auth/refresh`.
            - `Authorization: Bearer ty_...`: an API key also works as a bearer token.

            ## Errors
            Every error answers `application/problem+json` (RFC 9457) with `type`, `title`, \
            `status`, `detail`, a stable machine `code` (such as `not_found` or \
            `validation_failed`) and `request_id`, the id also sent in the `X-Request-Id` header \
            (send your own to correlate logs). Invalid fields are listed in `errors` as \
            `{field, message}`. A 429 answer carries `Retry-After` in seconds.

            ## Paging
            Lists take `skip` and `take` (synonyms `offset` and `limit`; `take` defaults to 20 and \
            is at most 500) and answer `{items, total, skip, take}`.

            Field names are snake_case; times are RFC 3339 UTC strings.

            ## Reporting from a job
            Every job gets `TRAINYARD_URL`, `TRAINYARD_JOB_ID` and `TRAINYARD_JOB_TOKEN`. The token works only for `POST /api/jobs/{jobId}/progress` and `POST /api/jobs/{jobId}/metrics` of its own job (403 elsewhere) and answers 401 once the job has ended. Or print marker lines on stdout, which the server reads as the log is written (they stay in the log):

            ```
            ::trainyard progress step=40 total_steps=100 epoch=2 total_epochs=10 message="warming up"
            ::trainyard progress percent=42.5
            ::trainyard metric loss=0.31 accuracy=0.87 step=40 time=2026-11-23T10:00:00Z
            ```

            A marker starts with `::trainyard ` and a kind, then `key=value` pairs separated by spaces; quote a value with spaces in double quotes (`\\"` and `\\\\` inside). `progress` keys: `percent` (0-100), `step`, `total_steps` (or `total`), `epoch`, `total_epochs` (or `epochs`), `message`; keys left out keep their last value. `metric` keys: `step` and `time` (ISO-8601) apply to the line's points; every other key is a metric name (1-100 of letters, digits, `_ . : -`) with a plain decimal number. A line that breaks any rule is ignored as a whole, never fatal.
            """;

    private final List<Route> routes;
    private final String version;
    private volatile byte[] json;

    /**
     * @param routes every route the server registers, this document's own included
     * @param version the server's version, shown as the document's
     */
    public OpenApiDocument(List<Route> routes, String version) {
        this.routes = List.copyOf(routes);
        this.version = Objects.requireNonNull(version, "version");
    }

    /** The document as JSON, built on first use and kept. */
    public byte[] json() {
        byte[] bytes = json;
        if (bytes == null) {
            // Two first callers may both build it; they build the same bytes, so no lock is needed.
            bytes = serialize(build());
            json = bytes;
        }
        return bytes;
    }

    /** Builds the document as swagger-core's model. */
    public OpenAPI build() {
        Schemas schemas = new Schemas();
        Paths paths = paths(schemas);
        describeProblem(schemas.components());
        return new OpenAPI(SpecVersion.V31)
                .openapi("3.1.0")
                .info(new Info().title("Trainyard API").version(version).description(INFO_DESCRIPTION))
                .tags(tags())
                // Also document-wide, where tools look to preselect a scheme; public operations
                // override it with an empty list.
                .security(security(Access.USER))
                .paths(paths)
                .components(new Components()
                        .schemas(schemas.components())
                        .addSecuritySchemes(BEARER, bearerScheme())
                        .addSecuritySchemes(API_KEY, apiKeyScheme()));
    }

    /**
     * A stable id made of the method and the path: {@code GET /api/projects/{projectId}} is {@code
     * getProjectsByProjectId}.
     */
    static String operationId(Route route) {
        StringBuilder id = new StringBuilder(route.method().name().toLowerCase(Locale.ROOT));
        String[] segments = route.path().split("/");
        for (int i = 0; i < segments.length; i++) {
            // Nearly every path starts with /api; repeating it in every id only adds noise.
            if (i == 1 && segments[i].equals("api")) {
                continue;
            }
            Matcher parameter = PATH_PARAMETER.matcher(segments[i]);
            if (parameter.matches()) {
                id.append("By");
                appendWords(id, parameter.group(1));
            } else {
                appendWords(id, segments[i]);
            }
        }
        return id.toString();
    }

    /** The error statuses a route can answer: its own and those its access and body imply. */
    static SortedSet<Integer> errorStatuses(Route route) {
        SortedSet<Integer> statuses = new TreeSet<>(route.errorStatuses());
        if (route.access() != Access.PUBLIC) {
            statuses.add(401);
        }
        if (route.access() == Access.ADMIN || route.access() == Access.USER) {
            // Users' routes refuse job tokens with 403; admin routes refuse non-admins.
            statuses.add(403);
        }
        if (route.requestBody() != null) {
            // Call.body refuses bad JSON (400), a body over the size limit (413) and non-JSON (415).
            statuses.addAll(List.of(400, 413, 415));
        }
        statuses.add(500);
        return statuses;
    }

    private Paths paths(Schemas schemas) {
        Paths paths = new Paths();
        Set<String> operationIds = new HashSet<>();
        for (Route route : routes) {
            Operation operation = operation(route, schemas);
            if (!operationIds.add(operation.getOperationId())) {
                throw new IllegalStateException("two routes share the operation id " + operation.getOperationId()
                        + "; the second is " + route.method() + " " + route.path());
            }
            PathItem item = paths.computeIfAbsent(route.path(), path -> new PathItem());
            item.operation(PathItem.HttpMethod.valueOf(route.method().name()), operation);
        }
        return paths;
    }

    private static Operation operation(Route route, Schemas schemas) {
        Operation operation = new Operation()
                .operationId(operationId(route))
                .summary(blankToNull(route.summary()))
                .description(blankToNull(route.description()))
                .tags(route.tag() == null ? null : List.of(route.tag()))
                .security(security(route.access()))
                .responses(responses(route, schemas));
        for (String name : pathParameters(route.path())) {
            operation.addParametersItem(
                    new Parameter().in("path").name(name).required(true).schema(typed("string")));
        }
        for (Route.Parameter query : route.queryParameters()) {
            operation.addParametersItem(new Parameter()
                    .in("query")
                    .name(query.name())
                    .description(blankToNull(query.description()))
                    .required(false)
                    .schema(schemas.of(query.type())));
        }
        if (route.requestBody() != null) {
            operation.requestBody(new RequestBody()
                    .required(true)
                    .content(content(route.requestContentType(), schemas.of(route.requestBody()))));
        }
        return operation;
    }

    private static ApiResponses responses(Route route, Schemas schemas) {
        ApiResponse success = new ApiResponse().description(successDescription(route.status()));
        if (route.responseBody() != null && route.status() != 204) {
            success.content(content(route.responseContentType(), schemas.of(route.responseBody())));
        }
        ApiResponses responses = new ApiResponses().addApiResponse(Integer.toString(route.status()), success);
        Schema<?> problem = schemas.of(Problem.class);
        for (int status : errorStatuses(route)) {
            responses.addApiResponse(Integer.toString(status), problemResponse(status, route.access(), problem));
        }
        return responses;
    }

    private static ApiResponse problemResponse(int status, Access access, Schema<?> problem) {
        ApiResponse response = new ApiResponse()
                .description(problemDescription(status, access))
                .content(content(HttpApp.PROBLEM_JSON, problem));
        if (status == 401) {
            response.addHeaderObject(
                    "WWW-Authenticate",
                    new Header().description("Bearer realm=\"trainyard\"").schema(typed("string")));
        }
        if (status == 429) {
            response.addHeaderObject(
                    "Retry-After",
                    new Header()
                            .description("Seconds to wait before trying again.")
                            .schema(typed("integer")));
        }
        return response;
    }

    private static String problemDescription(int status, Access access) {
        return switch (status) {
            case 400 ->
                "The request is invalid: malformed JSON, a missing, unknown or invalid field (listed in `errors`), "
                        + "or a bad query parameter.";
            case 401 -> "Credentials are missing, invalid, expired or revoked.";
            case 403 ->
                access == Access.ADMIN
                        ? "Only server administrators may call this."
                        : "The caller's role does not allow this.";
            case 404 -> "Not found, or not visible to the caller.";
            case 409 -> "It conflicts with the current state, for example a name that is already taken.";
            case 413 -> "The request body is larger than the server accepts.";
            case 415 -> "The request body is not JSON.";
            case 416 -> "The byte range asked for lies outside the file (`Content-Range` says its size).";
            case 429 -> "Too many attempts: wait the number of seconds in `Retry-After`.";
            case 500 -> "The server failed to answer; quote `request_id` when reporting it.";
            case 503 -> "The server cannot answer now, for example because its database does not answer.";
            default -> kindTitle(status);
        };
    }

    private static String kindTitle(int status) {
        for (ErrorCode.Kind kind : ErrorCode.Kind.values()) {
            if (kind.status() == status) {
                return kind.title();
            }
        }
        return "Error";
    }

    private static String successDescription(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 201 -> "Created";
            case 202 -> "Accepted";
            case 204 -> "No Content";
            default -> "Success";
        };
    }

    private static List<SecurityRequirement> security(Access access) {
        // An empty list says "no credentials" explicitly; either scheme alone is enough otherwise.
        return access == Access.PUBLIC
                ? new ArrayList<>()
                : new ArrayList<>(
                        List.of(new SecurityRequirement().addList(BEARER), new SecurityRequirement().addList(API_KEY)));
    }

    private static SecurityScheme bearerScheme() {
        return new SecurityScheme()
                .type(SecurityScheme.Type.HTTP)
                .scheme("bearer")
                .bearerFormat("JWT")
                .description("A JWT from `POST /api/auth/token` (API key exchange) or `POST /api/auth/login`, "
                        + "or an API key `ty_...` as the bearer token.");
    }

    private static SecurityScheme apiKeyScheme() {
        return new SecurityScheme()
                .type(SecurityScheme.Type.APIKEY)
                .in(SecurityScheme.In.HEADER)
                .name("X-API-KEY")
                .description("An API key `ty_...`, created at `POST /api/api-keys`.");
    }

    private List<Tag> tags() {
        Set<String> names = new LinkedHashSet<>();
        for (Route route : routes) {
            if (route.tag() != null) {
                names.add(route.tag());
            }
        }
        return names.stream().map(name -> new Tag().name(name)).toList();
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static void describeProblem(Map<String, Schema> components) {
        Schema problem = components.get(PROBLEM);
        problem.description("An error answer (RFC 9457 problem details).");
        describe(problem, "type", "A URI naming the kind of problem.");
        describe(problem, "title", "The HTTP status in words.");
        describe(problem, "status", "The HTTP status code.");
        describe(problem, "detail", "What went wrong, for people.");
        describe(problem, "code", "A stable machine code, such as `not_found` or `validation_failed`.");
        describe(problem, "request_id", "The request's id, also in the `X-Request-Id` header.");
        describe(problem, "errors", "The invalid fields of the request, on validation failures only.");
        problem.required(List.of("type", "title", "status", "detail", "code", "request_id"));
        Schema fieldError = components.get("FieldError");
        fieldError.description("One invalid field of a request.");
        describe(fieldError, "field", "The field's path, such as `name` or `items[2].size`.");
        describe(fieldError, "message", "What is wrong with it.");
        fieldError.required(List.of("field", "message"));
    }

    @SuppressWarnings("rawtypes")
    private static void describe(Schema schema, String property, String text) {
        Schema field = (Schema) schema.getProperties().get(property);
        if (field == null) {
            throw new IllegalStateException("the " + schema.getName() + " schema lacks " + property);
        }
        field.description(text);
    }

    private static List<String> pathParameters(String path) {
        List<String> names = new ArrayList<>();
        Matcher matcher = PATH_PARAMETER.matcher(path);
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
    }

    private static Content content(String contentType, Schema<?> schema) {
        return new Content().addMediaType(contentType, new MediaType().schema(schema));
    }

    private static Schema<?> typed(String type) {
        return new JsonSchema().types(Set.of(type));
    }

    private static void appendWords(StringBuilder id, String text) {
        for (String word : text.split("[^A-Za-z0-9]+")) {
            if (!word.isEmpty()) {
                id.append(Character.toUpperCase(word.charAt(0))).append(word, 1, word.length());
            }
        }
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text;
    }

    private static byte[] serialize(OpenAPI document) {
        try {
            return Json31.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(document);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot write the OpenAPI document", e);
        }
    }

    /** Schemas of Java types as the server's JSON mapper writes them, and the components they name. */
    private static final class Schemas {
        @SuppressWarnings("rawtypes")
        private final Map<String, Schema> components = new TreeMap<>();

        private final Map<Type, Schema<?>> known = new HashMap<>();
        private final ModelConverters converters = converters();

        /** The schema of {@code type}: a reference for records, inline for simple types. */
        Schema<?> of(Type type) {
            return known.computeIfAbsent(type, this::resolve);
        }

        private Schema<?> resolve(Type type) {
            if (type == byte[].class) {
                // Raw bytes on the wire (a download), not the base64 string Jackson would write.
                return typed("string").format("binary");
            }
            ResolvedSchema resolved = converters.resolveAsResolvedSchema(new AnnotatedType(type).resolveAsRef(true));
            components.putAll(resolved.referencedSchemas);
            return resolved.schema == null ? new JsonSchema() : resolved.schema;
        }

        @SuppressWarnings("rawtypes")
        Map<String, Schema> components() {
            return components;
        }

        private static ModelConverters converters() {
            ModelConverters converters = new ModelConverters(true);
            // The default resolver reads types with swagger's own mapper (camelCase names): remove it
            // so that no schema can come from it.
            List.copyOf(converters.getConverters()).forEach(converters::removeConverter);
            // A fresh mapper: the resolver adds its own annotation introspector to the one it gets.
            converters.addConverter(new ModelResolver(Json.newMapper()).openapi31(true));
            return converters;
        }
    }
}
