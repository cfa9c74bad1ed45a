package dev.trainyard.server.http;

/** Who may call a route. */
public enum Access {
    /** Anyone, without credentials. */
    PUBLIC,
    /** Any authenticated user; the service decides per resource. */
    USER,
    /** Server administrators only. */
    ADMIN
}
