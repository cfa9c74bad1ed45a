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
        long version,
        long costPerHour,
        Long maxCost,
        long held,
        long billed,
        Instant billedUntil,
        int billingSettled) {

    /** This row as it is once the scheduler moved it to STARTING with these resources. */
    public JobRow startingOn(String executorName, String onNode, java.util.List<Integer> gpuIndices) {
        String assigned = joinGpuIndices(gpuIndices);
        return new JobRow(
                id,
                organizationId,
                projectId,
                ownerId,
                ownerUsername,
                ownerEmail,
                name,
                description,
                JobState.STARTING.name(),
                "scheduled",
                null,
                priority,
                gpuType,
                gpus(),
                cpuCores,
                memoryMb,
                hddSizeMb,
                image,
                setupCommand,
                runCommand,
                envVars,
                tags,
                expires,
                expiresAfterMs,
                expiresAt,
                executorName,
                onNode,
                assigned,
                handle,
                exitCode,
                idempotencyKey,
                requestHash,
                createdAt,
                startedAt,
                finishedAt,
                version + 1,
                costPerHour,
                maxCost,
                held,
                billed,
                billedUntil,
                billingSettled);
    }

    /** The GPU indices assigned to the job (stored as "0,1"); empty when none. */
    public java.util.List<Integer> gpuIndices() {
        return assignedGpus == null || assignedGpus.isEmpty()
                ? java.util.List.of()
                : java.util.Arrays.stream(assignedGpus.split(","))
                        .map(Integer::valueOf)
                        .toList();
    }

    /** How assigned GPU indices are stored. */
    static String joinGpuIndices(java.util.List<Integer> indices) {
        return indices.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(","));
    }

    public JobState jobState() {
        return JobState.valueOf(state);
    }
}
