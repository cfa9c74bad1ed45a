package dev.trainyard.api;

import com.fasterxml.jackson.annotation.JsonCreator;

/**
 * The lifecycle of a job: {@code QUEUED → STARTING → RUNNING → (STOPPING) → COMPLETED | FAILED |
 * STOPPED | EXPIRED | LOST}. Written upper-case on the wire, read case-insensitively.
 */
public enum JobState {
    QUEUED,
    STARTING,
    RUNNING,
    STOPPING,
    COMPLETED,
    FAILED,
    STOPPED,
    EXPIRED,
    LOST;

    /** Whether the job has ended for good. */
    public boolean isTerminal() {
        return switch (this) {
            case QUEUED, STARTING, RUNNING, STOPPING -> false;
            case COMPLETED, FAILED, STOPPED, EXPIRED, LOST -> true;
        };
    }

    /** Whether the job holds resources on an executor. */
    public boolean holdsResources() {
        return switch (this) {
            case STARTING, RUNNING, STOPPING -> true;
            case QUEUED, COMPLETED, FAILED, STOPPED, EXPIRED, LOST -> false;
        };
    }

    /** Parses a state case-insensitively ("running" or "RUNNING"). */
    @JsonCreator
    public static JobState parse(String value) {
        for (JobState state : values()) {
            if (state.name().equalsIgnoreCase(value == null ? "" : value.trim())) {
                return state;
            }
        }
        throw new IllegalArgumentException("unknown job state '" + value + "': expected one of QUEUED, STARTING, "
                + "RUNNING, STOPPING, COMPLETED, FAILED, STOPPED, EXPIRED, LOST");
    }
}
