package dev.trainyard.server.job;

import dev.trainyard.api.JobState;
import java.time.Instant;

/** A job as stored. {@code envVars} and {@code tags} are JSON; {@code handle} is the executor's. */
public record JobRow(
        String id,
        String organizationId,
        String projectId,
        String ownerId,
        String ownerUsername,
        String ownerEmail,
        String name,
        String description,
        String state,
        String reason,
        String pendingReason,
        int priority,
        String gpuType,
        int gpus,
        int cpuCores,
        long memoryMb,
        long hddSizeMb,
        String image,
        String setupCommand,
        String runCommand,
        String envVars,
        String tags,
        String expires,
        Long expiresAfterMs,
        Instant expiresAt,
        String executor,
        String node,
        String assignedGpus,
        String handle,
        Integer exitCode,
        String idempotencyKey,
        String requestHash,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        long version) {

    public JobState jobState() {
        return JobState.valueOf(state);
    }
}
