package dev.trainyard.server.activity;

import dev.trainyard.api.ActivityEntry;
import dev.trainyard.api.UserRef;
import java.time.Instant;

/** One activity entry joined with its actor. */
public record ActivityRow(
        String id,
        String organizationId,
        String projectId,
        String actorId,
        String actorUsername,
        String actorEmail,
        String action,
        String detail,
        Instant createdAt) {

    public ActivityEntry toEntry() {
        return new ActivityEntry(
                id, projectId, new UserRef(actorId, actorUsername, actorEmail), action, detail, createdAt);
    }
}
