package dev.trainyard.server.job;

import dev.trainyard.api.JobState;

/** Published after a job's state change has committed. */
public record JobEvent(String jobId, JobState from, JobState to, String reason) {}
