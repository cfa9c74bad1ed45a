package dev.trainyard.server.auth;

import java.time.Instant;

/** An API key joined with its owner: what authenticating a request with it needs, in one read. */
public record ApiKeyCaller(
        String keyId,
        Instant expiresAt,
        Instant revokedAt,
        String userId,
        String username,
        String email,
        boolean admin) {

    public boolean usableAt(Instant now) {
        return ApiKeyRow.usable(revokedAt, expiresAt, now);
    }
}
