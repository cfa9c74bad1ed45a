package dev.trainyard.server.common;

import java.util.Objects;

/**
 * Who is calling, and how they proved it. A job token's principal acts for its job only
 * ({@code jobId} set, on behalf of the job's owner); every other principal is a user.
 */
public record Principal(
        String userId, String username, String email, boolean admin, Method method, String apiKeyId, String jobId) {
    /** How a caller authenticated. */
    public enum Method {
        API_KEY,
        JWT,
        JOB_TOKEN
    }

    public Principal {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(method, "method");
    }

    /** A user principal. */
    public Principal(String userId, String username, String email, boolean admin, Method method, String apiKeyId) {
        this(userId, username, email, admin, method, apiKeyId, null);
    }

    /** Whether this caller is a job reporting on itself (and may do nothing else). */
    public boolean isJob() {
        return jobId != null;
    }

    public String methodName() {
        return switch (method) {
            case API_KEY -> "api_key";
            case JWT -> "jwt";
            case JOB_TOKEN -> "job_token";
        };
    }
}
