package dev.trainyard.api;

/** A newly created user, with the generated password when the admin gave none (shown once). */
public record CreatedUser(User user, String password) {}
