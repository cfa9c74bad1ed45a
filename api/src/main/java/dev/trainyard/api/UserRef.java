package dev.trainyard.api;

/** A short reference to a user, as shown on resources the user owns or created. */
public record UserRef(String id, String username, String email) {}
