package dev.trainyard.server.executor;

import java.util.Objects;

/**
 * Enough to find a started job again, also after a server restart: the process id with its start
 * time (so a recycled pid is never mistaken for the job), the user it runs as, and its folder.
 */
public record ExecutionHandle(String executor, String node, long pid, long startTicks, Integer uid, String directory) {
    public ExecutionHandle {
        Objects.requireNonNull(executor, "executor");
        Objects.requireNonNull(directory, "directory");
    }
}
