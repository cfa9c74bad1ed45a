package dev.trainyard.server.auth;

import dev.trainyard.api.ApiKey;
import java.time.Instant;

/** An API key as stored: its hash, never the key. */
public record ApiKeyRow(
        String id,
        String userId,
        String name,
        String prefix,
        String lastFour,
        String keyHash,
        Instant createdAt,
        Instant lastUsedAt,
        Instant expiresAt,
        Instant revokedAt) {

    public ApiKey toApiKey() {
        return new ApiKey(id, name, prefix, lastFour, createdAt, lastUsedAt, expiresAt, revokedAt);
    }

    public boolean usableAt(Instant now) {
        return usable(revokedAt, expiresAt, now);
    }

    /** The one rule: a key works until it is revoked or expires. */
    static boolean usable(Instant revokedAt, Instant expiresAt, Instant now) {
        return revokedAt == null && (expiresAt == null || now.isBefore(expiresAt));
    }
}
