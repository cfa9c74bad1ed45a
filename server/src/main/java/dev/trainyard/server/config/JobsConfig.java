package dev.trainyard.server.config;

import java.time.Duration;

/**
 * How jobs run on this host.
 *
 * @param cpuCores cores offered to jobs, 0 to use all the OS reports
 * @param memoryMb memory offered to jobs, 0 to use all the OS reports
 * @param gpus GPUs offered ("H100:2,A100:1" or "none"); empty to detect with nvidia-smi
 * @param stopGrace time between SIGTERM and SIGKILL when a job is stopped
 * @param isolate run each job as its own user id (needs root); off runs jobs as the server's user
 * @param uidBase first user id of the range given to jobs
 * @param publicUrl the URL jobs use to reach the server ({@code TRAINYARD_URL} inside a job), or
 *     empty for http://127.0.0.1:PORT
 * @param sampleInterval how often each running job's system metrics (cpu, memory, disk, GPU) are
 *     sampled
 * @param metricsRetention how long metric points are kept
 */
public record JobsConfig(
        int cpuCores,
        long memoryMb,
        String gpus,
        Duration stopGrace,
        boolean isolate,
        int uidBase,
        String publicUrl,
        Duration sampleInterval,
        Duration metricsRetention) {

    public JobsConfig {
        if (cpuCores < 0 || memoryMb < 0) {
            throw new IllegalArgumentException("job cores and memory must be 0 (detect) or positive");
        }
        if (stopGrace == null || stopGrace.isNegative()) {
            throw new IllegalArgumentException("the stop grace period must be 0 or more");
        }
        if (uidBase < 1000) {
            throw new IllegalArgumentException("the job user id range must start at 1000 or above");
        }
        if (sampleInterval == null || sampleInterval.toMillis() < 100) {
            throw new IllegalArgumentException("the metrics sample interval must be at least 100ms");
        }
        if (metricsRetention == null || metricsRetention.compareTo(Duration.ofHours(1)) < 0) {
            throw new IllegalArgumentException("metrics must be kept for at least 1h");
        }
        gpus = gpus == null ? "" : gpus.trim();
        publicUrl = publicUrl == null ? "" : publicUrl.trim();
    }

    public static JobsConfig defaults() {
        return new JobsConfig(
                0, 0, "", Duration.ofSeconds(30), true, 1_500_000, "", Duration.ofSeconds(5), Duration.ofDays(30));
    }

    public JobsConfig withCapacity(int cores, long memory, String gpuDeclaration) {
        return new JobsConfig(
                cores,
                memory,
                gpuDeclaration,
                stopGrace,
                isolate,
                uidBase,
                publicUrl,
                sampleInterval,
                metricsRetention);
    }

    public JobsConfig withStopGrace(Duration grace) {
        return new JobsConfig(
                cpuCores, memoryMb, gpus, grace, isolate, uidBase, publicUrl, sampleInterval, metricsRetention);
    }

    public JobsConfig withSampleInterval(Duration interval) {
        return new JobsConfig(
                cpuCores, memoryMb, gpus, stopGrace, isolate, uidBase, publicUrl, interval, metricsRetention);
    }
}
