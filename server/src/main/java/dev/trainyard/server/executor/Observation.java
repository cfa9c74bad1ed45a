package dev.trainyard.server.executor;

/** What an executor sees of a job's process. */
public sealed interface Observation {
    /** The process is alive. */
    record Running() implements Observation {}

    /**
     * The job ended and its wrapper recorded how: {@code phase} is "setup" or "run", {@code exitCode}
     * the shell's status (128 + signal number when killed by a signal).
     */
    record Exited(String phase, int exitCode) implements Observation {}

    /** The process is gone and left no status behind (killed with its wrapper, or the host lost it). */
    record Vanished() implements Observation {}
}
