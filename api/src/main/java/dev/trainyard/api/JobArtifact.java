package dev.trainyard.api;

import java.time.Instant;

/** A file a job uploaded while it ran (with its job token), kept by content like datasets. */
public record JobArtifact(String jobId, String name, long sizeBytes, String sha256, Instant createdAt) {}
