package dev.trainyard.api;

/**
 * Admin request to create a user. When {@code password} is absent a random one is generated and
 * returned once.
 */
public record CreateUserRequest(String username, String email, String password, Boolean admin) {}
