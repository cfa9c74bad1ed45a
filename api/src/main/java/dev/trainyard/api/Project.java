package dev.trainyard.api;

import java.time.Instant;

/** A project: a named space in an organization that holds jobs, models and datasets. */
public record Project(
        String id,
        String name,
        String description,
        String organization,
        UserRef createdBy,
        Instant createdAt,
        Instant updatedAt) {}
