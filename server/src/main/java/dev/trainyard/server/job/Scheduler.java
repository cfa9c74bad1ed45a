package dev.trainyard.server.job;

import dev.trainyard.api.JobState;
import dev.trainyard.server.executor.Inventory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One loop, woken by job events with a timer as a backstop, that starts queued jobs by priority
 * then age on the host's free GPUs (by type and count), cores and memory.
 *
 * <p>No starvation: the first queued job that does not fit holds a reservation on what it needs,
 * and jobs behind it may start only in what is left beyond that reservation — so a small job can
 * slip ahead of a blocked big one only where it cannot delay it.
 */
public final class Scheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);
    private static final long BACKSTOP_MILLIS = 1_000;
    private static final int QUEUE_WINDOW = 1_000;
    /**
     * A pass reads the queue and what runs; in a burst of submissions one pass per event would
     * read it again for every job. Passes are at least this far apart, so a burst is started in a
     * few passes (it adds at most this much to a job's wait).
     */
    private static final long MIN_PASS_GAP_NANOS = 5_000_000;

    private final JobService jobs;
    private final Inventory inventory;
    private final String executorName;
    private final Consumer<JobRow> launcher;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition woken = lock.newCondition();
    private final Thread thread;
    private boolean pending;
    private volatile boolean running = true;

    /** @param launcher starts a job the scheduler has moved to STARTING (must not block for long) */
    public Scheduler(JobService jobs, Inventory inventory, String executorName, Consumer<JobRow> launcher) {
        this.jobs = jobs;
        this.inventory = inventory;
        this.executorName = executorName;
        this.launcher = launcher;
        jobs.onEvent(event -> {
            if (event.to() == JobState.QUEUED || event.to().isTerminal()) {
                wake();
            }
        });
        this.thread = Thread.ofPlatform().name("trainyard-scheduler").daemon().unstarted(this::loop);
    }

    public void start() {
        thread.start();
    }

    public void wake() {
        lock.lock();
        try {
            pending = true;
            woken.signal();
        } finally {
            lock.unlock();
        }
    }

    private void loop() {
        while (running) {
            long started = System.nanoTime();
            try {
                schedule();
            } catch (RuntimeException e) {
                LOG.error("a scheduling pass failed; retrying", e);
            }
            long spacing = MIN_PASS_GAP_NANOS - (System.nanoTime() - started);
            if (spacing > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(spacing);
            }
            awaitWake();
        }
    }

    private void awaitWake() {
        lock.lock();
        try {
            if (!pending && running) {
                woken.await(BACKSTOP_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
            }
            pending = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        } finally {
            lock.unlock();
        }
    }

    /** One pass: start what fits, tell the rest why they wait. */
    void schedule() {
        List<JobRow> queued = jobs.queued(QUEUE_WINDOW);
        if (queued.isEmpty()) {
            return;
        }
        Capacity free = Capacity.of(inventory);
        for (JobRow holding : jobs.rowsIn(JobState.STARTING, JobState.RUNNING, JobState.STOPPING)) {
            free = free.minus(Demand.of(holding), holding.gpuIndices());
        }
        Capacity available = free;
        JobRow blocked = null;
        List<JobService.Assignment> chosen = new ArrayList<>();
        Map<String, JobRow> chosenRows = new HashMap<>();
        for (JobRow job : queued) {
            Demand demand = Demand.of(job);
            List<Integer> gpus = available.pickGpus(demand);
            if (gpus != null && available.fits(demand)) {
                available = available.minus(demand, gpus);
                chosen.add(new JobService.Assignment(job.id(), gpus));
                chosenRows.put(job.id(), job);
                continue;
            }
            String reason;
            if (blocked == null) {
                blocked = job;
                reason = available.shortage(demand);
                // Hold what the blocked job needs, so nothing behind it can delay it.
                List<Integer> held = available.gpusFor(demand);
                available = available.minus(demand, held);
            } else {
                reason = "waiting behind higher-priority job " + blocked.id() + " (" + available.shortage(demand) + ")";
            }
            if (!Objects.equals(reason, job.pendingReason())) {
                jobs.setPendingReason(job.id(), reason);
            }
        }
        // One transaction for the whole pass: a burst of starts is not a burst of commits. What a
        // job that moved on meanwhile would have held stays unused until the next pass.
        Set<String> started = jobs.toStarting(chosen, executorName, inventory.node());
        for (JobService.Assignment assignment : chosen) {
            if (started.contains(assignment.jobId())) {
                launcher.accept(chosenRows
                        .get(assignment.jobId())
                        .startingOn(executorName, inventory.node(), assignment.gpus()));
            }
        }
    }

    @Override
    public void close() {
        running = false;
        wake();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** What one job asks for. */
    record Demand(String gpuType, int gpus, int cpuCores, long memoryMb) {
        static Demand of(JobRow job) {
            return new Demand(job.gpuType(), job.gpus(), job.cpuCores(), job.memoryMb());
        }
    }

    /** What is free: cores, memory (may go negative while reserved) and the free GPUs. */
    record Capacity(int cpuCores, long memoryMb, List<Inventory.Gpu> gpus) {
        static Capacity of(Inventory inventory) {
            return new Capacity(inventory.cpuCores(), inventory.memoryMb(), inventory.gpus());
        }

        boolean fits(Demand demand) {
            return demand.cpuCores() <= cpuCores && demand.memoryMb() <= memoryMb;
        }

        /** The GPU indices for the demand, or null when there are not enough free of its type. */
        List<Integer> pickGpus(Demand demand) {
            List<Integer> picked = gpusFor(demand);
            return picked.size() == demand.gpus() ? picked : null;
        }

        /** Up to the demanded number of free GPUs of its type. */
        List<Integer> gpusFor(Demand demand) {
            return gpus.stream()
                    .filter(gpu -> gpu.matches(demand.gpuType()))
                    .limit(demand.gpus())
                    .map(Inventory.Gpu::index)
                    .toList();
        }

        Capacity minus(Demand demand, List<Integer> usedGpus) {
            List<Inventory.Gpu> left = new ArrayList<>(gpus);
            left.removeIf(gpu -> usedGpus.contains(gpu.index()));
            return new Capacity(cpuCores - demand.cpuCores(), memoryMb - demand.memoryMb(), left);
        }

        /** Why a demand does not fit, e.g. "waiting for 2 GPUs of type H100: 1 free". */
        String shortage(Demand demand) {
            List<String> parts = new ArrayList<>();
            long freeGpus =
                    gpus.stream().filter(gpu -> gpu.matches(demand.gpuType())).count();
            if (freeGpus < demand.gpus()) {
                parts.add("waiting for " + demand.gpus() + " GPU" + (demand.gpus() == 1 ? "" : "s")
                        + (demand.gpuType() == null ? "" : " of type " + demand.gpuType()) + ": " + freeGpus + " free");
            }
            if (demand.cpuCores() > cpuCores) {
                parts.add("waiting for " + demand.cpuCores() + " CPU cores: " + Math.max(0, cpuCores) + " free");
            }
            if (demand.memoryMb() > memoryMb) {
                parts.add("waiting for " + demand.memoryMb() + " MB of memory: " + Math.max(0, memoryMb) + " MB free");
            }
            return parts.isEmpty() ? "waiting for the scheduler" : String.join("; ", parts);
        }
    }
}
