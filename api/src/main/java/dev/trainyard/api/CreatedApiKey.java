package dev.trainyard.api;

/** A newly created API key: {@code key} is the secret, shown this once and never again. */
public record CreatedApiKey(ApiKey apiKey, String key) {}
