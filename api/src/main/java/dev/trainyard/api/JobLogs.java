package dev.trainyard.api;

import java.time.Instant;
import java.util.List;

/**
 * A page of a job's log: lines by number, the offset to ask for next, and whether the log is
 * complete (the job ended and every line is in).
 */
public record JobLogs(String job, List<Line> lines, long nextOffset, boolean complete) {
    public JobLogs {
        lines = List.copyOf(lines);
    }

    /** One line: its 0-based number, when the server saw it, its stream and its text. */
    public record Line(long line, Instant time, String stream, String text) {}
}
