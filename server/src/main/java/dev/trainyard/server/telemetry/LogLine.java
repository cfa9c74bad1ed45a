package dev.trainyard.server.telemetry;

import java.time.Instant;

/**
 * One line of a job's output: its number in the job's combined log (0-based, in the order the
 * server saw the lines), when the server saw it, which stream it came from, and its text without
 * the line break.
 */
public record LogLine(long line, Instant time, Stream stream, String text) {
    /** The output stream of a line. */
    public enum Stream {
        STDOUT,
        STDERR
    }
}
