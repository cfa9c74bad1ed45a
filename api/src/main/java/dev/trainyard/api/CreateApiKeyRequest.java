package dev.trainyard.api;

import java.time.Instant;

/** Request to create an API key for the caller. */
public record CreateApiKeyRequest(String name, Instant expiresAt) {}
