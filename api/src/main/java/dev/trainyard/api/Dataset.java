package dev.trainyard.api;

import java.time.Instant;
import java.util.List;

/**
 * A version of a project's dataset. The name is a label (any characters; never a path); uploading
 * the same name again makes the next version. For CSV, {@code columns} is the header and {@code
 * rows} the number of data rows.
 */
public record Dataset(
        String id,
        String name,
        String project,
        int version,
        long sizeBytes,
        String sha256,
        String format,
        List<String> columns,
        Long rows,
        String createdBy,
        Instant createdAt) {}
