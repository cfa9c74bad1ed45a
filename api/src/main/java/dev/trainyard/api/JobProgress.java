package dev.trainyard.api;

import java.time.Instant;

/**
 * How far a job is. {@code percent} comes from the job's last report (its percent, else step of
 * total steps, else epoch of total epochs) and is 100 only once the job COMPLETED; {@code
 * etaSeconds} is estimated from how fast the percent has moved since the first report.
 */
public record JobProgress(
        String jobId,
        JobState state,
        Double percent,
        Long step,
        Long totalSteps,
        Integer epoch,
        Integer totalEpochs,
        String message,
        Long etaSeconds,
        Instant updatedAt) {}
