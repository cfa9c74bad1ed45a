package dev.trainyard.server.org;

import java.time.Instant;

/** An organization as stored. */
public record OrganizationRow(String id, String name, boolean personal, String createdBy, Instant createdAt) {}
