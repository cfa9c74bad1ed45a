package dev.trainyard.api;

import java.time.Instant;

/** An access token (JWT), its expiry, and a single-use refresh token. */
public record TokenPair(String token, String refreshToken, Instant expiresAt) {}
