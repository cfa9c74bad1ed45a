package dev.trainyard.server.org;

import java.time.Instant;

/** A membership joined with its organization and user, as the stores read it. */
public record MembershipRow(
        String organizationId,
        String organizationName,
        boolean personal,
        String userId,
        String username,
        String email,
        String role,
        Instant createdAt,
        Instant organizationCreatedAt) {}
