package dev.trainyard.server.http;

import java.util.List;

/** The OpenAPI document and the API reference page. (Being written.) */
public final class DocsRoutes {
    private DocsRoutes() {}

    public static List<Route> routes(List<Route> apiRoutes) {
        return List.of();
    }
}
