package dev.trainyard.server.common;

import java.util.Objects;

/**
 * Who is calling, and how they proved it. A job token's principal acts for its job only
 * ({@code jobId} set); every other principal is a user.
 */
public record Principal(String userId, String username, String email, boolean admin, Method method, String apiKeyId) {
    /** How a caller authenticated. */
    public enum Method {
        API_KEY,
        JWT
    }

    public Principal {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(method, "method");
    }

    public String methodName() {
        return method == Method.API_KEY ? "api_key" : "jwt";
    }
}
