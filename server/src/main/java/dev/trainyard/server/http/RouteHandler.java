package dev.trainyard.server.http;

/** The body of a route: turns one call into one service call and one answer. */
@FunctionalInterface
public interface RouteHandler {
    void handle(Call call) throws Exception;
}
