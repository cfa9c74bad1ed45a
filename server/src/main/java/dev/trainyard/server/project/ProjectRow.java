package dev.trainyard.server.project;

import dev.trainyard.api.Project;
import dev.trainyard.api.UserRef;
import java.time.Instant;

/** A project joined with its creator. */
public record ProjectRow(
        String id,
        String organizationId,
        String name,
        String description,
        String createdBy,
        String creatorUsername,
        String creatorEmail,
        Instant createdAt,
        Instant updatedAt) {

    public Project toProject() {
        return new Project(
                id,
                name,
                description,
                organizationId,
                new UserRef(createdBy, creatorUsername, creatorEmail),
                createdAt,
                updatedAt);
    }
}
