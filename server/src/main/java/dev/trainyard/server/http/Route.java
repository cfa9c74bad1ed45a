package dev.trainyard.server.http;

import com.fasterxml.jackson.databind.type.TypeFactory;
import dev.trainyard.api.Page;
import io.javalin.http.HandlerType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One entry of the route table: what the server registers with Javalin and what the OpenAPI
 * document describes, from the same value.
 */
public record Route(
        HandlerType method,
        String path,
        Access access,
        String tag,
        String summary,
        String description,
        List<Parameter> queryParameters,
        Type requestBody,
        String requestContentType,
        int status,
        Type responseBody,
        String responseContentType,
        List<Integer> errorStatuses,
        RouteHandler handler) {

    public Route {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(access, "access");
        Objects.requireNonNull(handler, "handler");
        queryParameters = List.copyOf(queryParameters);
        errorStatuses = List.copyOf(errorStatuses);
    }

    /** A query parameter, for the document. */
    public record Parameter(String name, Class<?> type, String description) {}

    /** The type of a page of {@code item}, for documentation. */
    public static Type pageOf(Class<?> item) {
        return TypeFactory.defaultInstance().constructParametricType(Page.class, item);
    }

    public static Builder get(String path) {
        return new Builder(HandlerType.GET, path);
    }

    public static Builder post(String path) {
        return new Builder(HandlerType.POST, path);
    }

    public static Builder patch(String path) {
        return new Builder(HandlerType.PATCH, path);
    }

    public static Builder delete(String path) {
        return new Builder(HandlerType.DELETE, path);
    }

    /** Builds a route step by step; {@link #handle} finishes it. */
    public static final class Builder {
        private final HandlerType method;
        private final String path;
        private Access access = Access.USER;
        private String tag = "General";
        private String summary = "";
        private String description = "";
        private final List<Parameter> queryParameters = new ArrayList<>();
        private Type requestBody;
        private String requestContentType = "application/json";
        private int status = 200;
        private Type responseBody;
        private String responseContentType = "application/json";
        private final List<Integer> errorStatuses = new ArrayList<>();

        private Builder(HandlerType method, String path) {
            this.method = method;
            this.path = path;
        }

        public Builder access(Access value) {
            this.access = value;
            return this;
        }

        public Builder tag(String value) {
            this.tag = value;
            return this;
        }

        public Builder summary(String value) {
            this.summary = value;
            return this;
        }

        public Builder description(String value) {
            this.description = value;
            return this;
        }

        public Builder query(String name, Class<?> type, String text) {
            queryParameters.add(new Parameter(name, type, text));
            return this;
        }

        /** The paging parameters every list takes. */
        public Builder paged() {
            return query("skip", Integer.class, "How many items to skip (default 0).")
                    .query("take", Integer.class, "How many items to return (default 20, at most 500).")
                    .query("offset", Integer.class, "Synonym of skip.")
                    .query("limit", Integer.class, "Synonym of take.");
        }

        public Builder body(Type type) {
            this.requestBody = type;
            return this;
        }

        public Builder body(Type type, String contentType) {
            this.requestBody = type;
            this.requestContentType = contentType;
            return this;
        }

        public Builder returns(int statusCode, Type type) {
            this.status = statusCode;
            this.responseBody = type;
            return this;
        }

        public Builder returns(int statusCode, Type type, String contentType) {
            this.status = statusCode;
            this.responseBody = type;
            this.responseContentType = contentType;
            return this;
        }

        /** Error statuses this route answers besides the ones its access implies. */
        public Builder errors(Integer... statuses) {
            errorStatuses.addAll(List.of(statuses));
            return this;
        }

        public Route handle(RouteHandler handler) {
            return new Route(
                    method,
                    path,
                    access,
                    tag,
                    summary,
                    description,
                    queryParameters,
                    requestBody,
                    requestContentType,
                    status,
                    responseBody,
                    responseContentType,
                    errorStatuses,
                    handler);
        }
    }
}
