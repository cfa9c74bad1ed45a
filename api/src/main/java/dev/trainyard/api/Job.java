package dev.trainyard.api;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * A job as the API shows it: what was asked for, where it runs, and what happened. Environment
 * variables appear by name only. {@code progress} is the percent the job last reported (100 once
 * it COMPLETED), {@code metrics} its latest GPU utilization and memory use. Costs are in credits:
 * {@code cost_per_hour} is fixed at submit, {@code total_cost} is what the run has cost so far (what
 * was billed, once the job ended), {@code projected_cost} is the cost at the end the progress ETA
 * points to (while running, when known).
 */
public record Job(
        String id,
        String name,
        String description,
        String project,
        String organization,
        UserRef owner,
        JobState state,
        String reason,
        String pendingReason,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        Resources resources,
        List<Integer> assignedGpus,
        String image,
        String setupCommand,
        String runCommand,
        List<String> envVars,
        String expires,
        Instant expiresAt,
        int priority,
        List<String> tags,
        String executor,
        String node,
        Integer exitCode,
        Double progress,
        JobMetrics metrics,
        BigDecimal costPerHour,
        BigDecimal totalCost,
        BigDecimal gpuHours,
        BigDecimal projectedCost,
        BigDecimal maxCost,
        List<Transition> transitions) {

    /** The resources a job asked for. */
    public record Resources(String gpuType, int gpus, int cpuCores, BigDecimal memoryGb, long hddSizeMb) {}

    /** One state change, with its reason. */
    public record Transition(JobState from, JobState to, String reason, Instant at) {}
}
