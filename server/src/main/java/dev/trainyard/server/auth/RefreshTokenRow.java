package dev.trainyard.server.auth;

import java.time.Instant;

/** A refresh token as stored: its hash, its family (one login), and whether it was used. */
public record RefreshTokenRow(
        String id,
        String userId,
        String familyId,
        String tokenHash,
        Instant createdAt,
        Instant expiresAt,
        Instant usedAt,
        Instant revokedAt) {}
