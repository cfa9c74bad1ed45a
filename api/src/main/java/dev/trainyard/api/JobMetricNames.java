package dev.trainyard.api;

import java.util.List;

/** The metrics a job has: system metrics sampled by the server and whatever the job reported. */
public record JobMetricNames(String jobId, List<String> metrics) {}
