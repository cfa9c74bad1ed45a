package dev.trainyard.api;

import java.time.Instant;

/** An API key as listed: never the secret, only enough to recognise it. */
public record ApiKey(
        String id,
        String name,
        String prefix,
        String lastFour,
        Instant createdAt,
        Instant lastUsedAt,
        Instant expiresAt,
        Instant revokedAt) {}
