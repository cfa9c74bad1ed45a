package dev.trainyard.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A model of a project: what it learns (task, dataset, target column, algorithm and its
 * settings) and the versions its successful training jobs made, newest first. A {@code custom}
 * model runs the user's own {@code commands} (train, test, export) instead of the built-in trainer.
 */
public record Model(
        String id,
        String name,
        String project,
        String task,
        String kind,
        String dataset,
        String targetColumn,
        List<String> featureColumns,
        String algorithm,
        Map<String, Object> hyperparameters,
        Map<String, String> commands,
        List<Version> versions,
        String createdBy,
        Instant createdAt) {

    /**
     * One trained version: the job that made it, its evaluation on the held-out rows, and the
     * latest test's results (null until tested).
     */
    public record Version(
            int version,
            String job,
            Map<String, Object> metrics,
            Map<String, Object> testResults,
            long sizeBytes,
            String sha256,
            Instant createdAt) {}
}
