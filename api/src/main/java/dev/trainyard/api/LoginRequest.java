package dev.trainyard.api;

/** Username and password login. */
public record LoginRequest(String username, String password) {}
