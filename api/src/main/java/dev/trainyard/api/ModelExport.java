package dev.trainyard.api;

import java.time.Instant;

/** A downloadable export of a model version. */
public record ModelExport(
        String name, String format, long sizeBytes, String sha256, int version, String job, Instant createdAt) {}
