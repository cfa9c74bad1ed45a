package dev.trainyard.server.executor;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything an executor needs to start one job.
 *
 * @param inputs files the job may read (its datasets): the executor makes each readable inside
 *     the job, and only there, and sets {@code environmentName} to where it is
 */
public record Launch(
        String jobId,
        String image,
        String setupCommand,
        String runCommand,
        Map<String, String> environment,
        List<Integer> gpus,
        int cpuCores,
        long memoryMb,
        List<Input> inputs) {

    /** A file for the job: its name inside the job, where it is now, and the variable naming it. */
    public record Input(String fileName, Path source, String environmentName) {
        public Input {
            if (!fileName.matches("[A-Za-z0-9_][A-Za-z0-9._-]*")) {
                throw new IllegalArgumentException("not a plain file name: " + fileName);
            }
        }
    }

    public Launch {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(runCommand, "runCommand");
        environment = Map.copyOf(environment);
        gpus = List.copyOf(gpus);
        inputs = List.copyOf(inputs);
    }

    /** A job without input files. */
    public Launch(
            String jobId,
            String image,
            String setupCommand,
            String runCommand,
            Map<String, String> environment,
            List<Integer> gpus,
            int cpuCores,
            long memoryMb) {
        this(jobId, image, setupCommand, runCommand, environment, gpus, cpuCores, memoryMb, List.of());
    }
}
