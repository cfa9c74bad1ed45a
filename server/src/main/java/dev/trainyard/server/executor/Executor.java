package dev.trainyard.server.executor;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * Runs jobs somewhere: on this host (local), on Slurm, on Kubernetes. Executors report facts —
 * started, running, exited with a code, vanished — and JobService decides what they mean. They know
 * nothing of HTTP, SQL or credits.
 */
public interface Executor {
    /** A short name stored on jobs ("local", "slurm", "kubernetes"). */
    String name();

    /** What this executor can run in total; the scheduler subtracts what running jobs hold. */
    Inventory inventory();

    /** Starts a job. When this returns, the job's process exists and the handle can find it again. */
    ExecutionHandle launch(Launch launch) throws ExecutorException;

    /** Asks every process of the job to stop (SIGTERM); returns at once. */
    void terminate(ExecutionHandle handle);

    /** Kills every process of the job at once (SIGKILL); used after the grace period and for limits. */
    void kill(ExecutionHandle handle);

    /** What the job's process is doing now: running, exited with a status, or gone without one. */
    Observation observe(ExecutionHandle handle);

    /** Completes when the job's main process ends (a hint; {@link #observe} is the truth). */
    CompletableFuture<Void> onExit(ExecutionHandle handle);

    /** The folder holding {@code stdout.log} and {@code stderr.log}, written by the job itself. */
    Path logDir(ExecutionHandle handle);

    /** Resources the job uses now. */
    Usage usage(ExecutionHandle handle);

    /**
     * What each GPU of this executor is doing now, by index; empty where GPUs cannot be read (none,
     * declared only, or no {@code nvidia-smi}). One call serves every job of a sampling pass.
     */
    default java.util.Map<Integer, GpuUse> gpuUse() {
        return java.util.Map.of();
    }

    /** Removes what an ended job left behind: processes that outlived it. */
    void cleanUp(ExecutionHandle handle);

    /**
     * Finds a job that was starting when the server stopped: its handle if its process was
     * launched (alive or ended), or nothing if it never was.
     */
    java.util.Optional<ExecutionHandle> find(String jobId);
}
