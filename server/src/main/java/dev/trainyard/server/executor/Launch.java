package dev.trainyard.server.executor;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Everything an executor needs to start one job. */
public record Launch(
        String jobId,
        String image,
        String setupCommand,
        String runCommand,
        Map<String, String> environment,
        List<Integer> gpus,
        int cpuCores,
        long memoryMb) {
    public Launch {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(runCommand, "runCommand");
        environment = Map.copyOf(environment);
        gpus = List.copyOf(gpus);
    }
}
