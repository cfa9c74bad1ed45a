package dev.trainyard.api;

/** Exchange of a refresh token for a new token pair; the refresh token is used up. */
public record RefreshRequest(String refreshToken) {}
