package dev.trainyard.server.http;

/** Who may call a route. */
public enum Access {
    /** Anyone, without credentials. */
    PUBLIC,
    /** Any authenticated user; the service decides per resource. Job tokens are refused. */
    USER,
    /** Users, and a job's own token for routes about that job (reporting). */
    JOB,
    /** Server administrators only. */
    ADMIN
}
