package dev.trainyard.server.job;

import java.nio.file.Path;

/** Indexes a running job's output as the job writes it; the runner tells it when a job starts and ends. */
public interface LogCapture {
    /** Starts (or, after a restart, resumes) indexing the output files in {@code dir}. */
    void watch(String jobId, Path dir);

    /** The job ended: index what is left, mark the log complete, stop watching. */
    void finish(String jobId, Path dir);
}
