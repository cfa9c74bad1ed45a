package dev.trainyard.api;

import java.time.Instant;

/** A user account. */
public record User(
        String id, String username, String email, boolean admin, String personalOrganization, Instant createdAt) {}
