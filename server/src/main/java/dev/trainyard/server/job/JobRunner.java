package dev.trainyard.server.job;

import dev.trainyard.api.JobState;
import dev.trainyard.server.executor.ExecutionHandle;
import dev.trainyard.server.executor.Executor;
import dev.trainyard.server.executor.ExecutorException;
import dev.trainyard.server.executor.GpuUse;
import dev.trainyard.server.executor.Launch;
import dev.trainyard.server.executor.Observation;
import dev.trainyard.server.executor.Usage;
import dev.trainyard.server.telemetry.JobTelemetry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries jobs through their life on an executor: launches what the scheduler started, watches
 * running jobs (exit, expiry, memory and disk limits), stops them with a grace period, settles how
 * they ended, and after a restart re-adopts the ones still running. It decides what executor facts
 * mean and asks JobService to record it.
 */
public final class JobRunner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);
    private static final Duration MONITOR_INTERVAL = Duration.ofMillis(250);
    private static final Duration USAGE_INTERVAL = Duration.ofMillis(500);

    private final JobService jobs;
    private final Executor executor;
    private final LogCapture logs;
    private final Clock clock;
    private final Duration stopGrace;
    private final Supplier<String> serverUrl;
    private final Function<String, String> jobTokens;
    private final Map<String, Active> active = new ConcurrentHashMap<>();
    private final ExecutorService launches = Executors.newVirtualThreadPerTaskExecutor();
    private final ScheduledExecutorService monitor = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("trainyard-job-monitor").daemon().factory());
    private final JobTelemetry telemetry;
    private final Function<String, List<Launch.Input>> inputs;
    private final Duration sampleInterval;
    private volatile Instant lastUsageCheck = Instant.EPOCH;
    private volatile Instant lastSample = Instant.EPOCH;

    /**
     * A job this runner watches: its handle, GPUs and limits, and when it must be killed if still
     * alive.
     */
    private record Active(
            ExecutionHandle handle,
            List<Integer> gpus,
            long memoryMb,
            long hddSizeMb,
            Instant expiresAt,
            Instant budgetAt,
            Instant killAt,
            boolean runningRecorded) {
        Active withKillAt(Instant when) {
            return new Active(handle, gpus, memoryMb, hddSizeMb, expiresAt, budgetAt, when, runningRecorded);
        }

        /** RUNNING is committed and no stop was begun: the row says RUNNING unless a stop is on its way. */
        Active withRunningRecorded() {
            return new Active(handle, gpus, memoryMb, hddSizeMb, expiresAt, budgetAt, killAt, true);
        }
    }

    /** When a job with a max_cost has cost that much (run time at its cost per hour); null without one. */
    static Instant budgetAt(JobRow job, Instant startedAt) {
        if (job.maxCost() == null || job.costPerHour() <= 0 || startedAt == null) {
            return null;
        }
        long millis = java.math.BigDecimal.valueOf(job.maxCost())
                .multiply(java.math.BigDecimal.valueOf(3_600_000L))
                .divide(java.math.BigDecimal.valueOf(job.costPerHour()), 0, java.math.RoundingMode.CEILING)
                .longValue();
        return startedAt.plusMillis(millis);
    }

    /**
     * @param jobTokens makes the token a job reports with ({@code TRAINYARD_JOB_TOKEN}), by job id
     * @param telemetry where each running job's system metrics go, every {@code sampleInterval}
     */
    public JobRunner(
            JobService jobs,
            Executor executor,
            LogCapture logs,
            Clock clock,
            Duration stopGrace,
            Supplier<String> serverUrl,
            Function<String, String> jobTokens,
            JobTelemetry telemetry,
            Duration sampleInterval,
            Function<String, List<Launch.Input>> inputs) {
        this.inputs = inputs;
        this.telemetry = telemetry;
        this.sampleInterval = sampleInterval;
        this.jobs = jobs;
        this.executor = executor;
        this.logs = logs;
        this.clock = clock;
        this.stopGrace = stopGrace;
        this.serverUrl = serverUrl;
        this.jobTokens = jobTokens;
        jobs.onEvent(event -> {
            if (event.to() == JobState.STOPPING) {
                beginStop(event.jobId());
            }
        });
    }

    /** Re-adopts or settles the jobs the database says were active, then starts watching. */
    public void start() {
        recover();
        long period = MONITOR_INTERVAL.toMillis();
        monitor.scheduleWithFixedDelay(this::monitorSafely, period, period, TimeUnit.MILLISECONDS);
    }

    /** Starts a job the scheduler moved to STARTING (the row as it is now); returns at once. */
    public void launch(JobRow job) {
        launches.submit(() -> {
            try {
                launchNow(job);
            } catch (RuntimeException e) {
                // Whatever went wrong, the job must not stay STARTING for ever.
                LOG.error("launching job {} failed", job.id(), e);
                jobs.end(job.id(), JobState.STARTING, JobState.FAILED, "launch_failed", null);
            }
        });
    }

    private void launchNow(JobRow job) {
        String jobId = job.id();
        Map<String, String> environment = new HashMap<>(jobs.environmentOf(job));
        environment.put("TRAINYARD_URL", serverUrl.get());
        environment.put("TRAINYARD_JOB_ID", jobId);
        environment.put("TRAINYARD_JOB_TOKEN", jobTokens.apply(jobId));
        ExecutionHandle handle;
        try {
            handle = executor.launch(new Launch(
                    jobId,
                    job.image(),
                    job.setupCommand(),
                    job.runCommand(),
                    environment,
                    job.gpuIndices(),
                    job.cpuCores(),
                    job.memoryMb(),
                    inputs.apply(jobId)));
        } catch (ExecutorException e) {
            LOG.warn("job {} could not start: {}", jobId, e.getMessage());
            jobs.end(jobId, JobState.STARTING, JobState.FAILED, "launch_failed", null);
            return;
        }
        Instant startedAt = clock.instant();
        Instant expiresAt = job.expiresAfterMs() == null ? null : startedAt.plusMillis(job.expiresAfterMs());
        logs.watch(jobId, executor.logDir(handle));
        // Watched before RUNNING is committed, so a stop that comes in between finds it; an exit
        // seen while the row still says STARTING is left for the monitor's next pass.
        active.put(
                jobId,
                new Active(
                        handle,
                        job.gpuIndices(),
                        job.memoryMb(),
                        job.hddSizeMb(),
                        expiresAt,
                        budgetAt(job, startedAt),
                        null,
                        false));
        boolean running = jobs.toRunning(jobId, handle, startedAt, expiresAt);
        if (running) {
            active.computeIfPresent(jobId, (id, watched) -> watched.withRunningRecorded());
        } else {
            // Stopped while starting: the STOPPING event found no handle yet, so stop it here.
            jobs.row(jobId).filter(row -> row.jobState() == JobState.STOPPING).ifPresent(row -> beginStop(jobId));
        }
        executor.onExit(handle).thenRunAsync(() -> settle(jobId), launches);
    }

    /** SIGTERM now, SIGKILL when the grace period is over (checked by the monitor). */
    private void beginStop(String jobId) {
        Active job = active.get(jobId);
        if (job == null) {
            return;
        }
        active.put(jobId, job.withKillAt(clock.instant().plus(stopGrace)));
        executor.terminate(job.handle());
        if (stopGrace.isZero()) {
            executor.kill(job.handle());
        }
    }

    private void monitorSafely() {
        try {
            monitor(clock.instant());
        } catch (RuntimeException e) {
            LOG.error("job monitor pass failed", e);
        }
    }

    private void monitor(Instant now) {
        boolean checkUsage = !now.isBefore(lastUsageCheck.plus(USAGE_INTERVAL));
        if (checkUsage) {
            lastUsageCheck = now;
        }
        Map<Integer, GpuUse> gpus = null;
        if (!now.isBefore(lastSample.plus(sampleInterval)) && !active.isEmpty()) {
            lastSample = now;
            gpus = executor.gpuUse();
        }
        for (Map.Entry<String, Active> entry : active.entrySet()) {
            try {
                watch(entry.getKey(), entry.getValue(), now, checkUsage, gpus);
            } catch (RuntimeException e) {
                LOG.error("watching job {} failed", entry.getKey(), e);
            }
        }
    }

    /** @param gpus the GPUs' figures when this pass samples system metrics, else null */
    private void watch(String jobId, Active job, Instant now, boolean checkUsage, Map<Integer, GpuUse> gpus) {
        if (!(executor.observe(job.handle()) instanceof Observation.Running)) {
            settle(jobId);
            return;
        }
        if (job.killAt() != null) {
            if (!now.isBefore(job.killAt())) {
                executor.kill(job.handle());
            }
            return;
        }
        if (job.expiresAt() != null && !now.isBefore(job.expiresAt())) {
            jobs.toStopping(jobId, JobState.RUNNING, "expired");
            return;
        }
        if (job.budgetAt() != null && !now.isBefore(job.budgetAt())) {
            jobs.toStopping(jobId, JobState.RUNNING, "budget_reached");
            return;
        }
        if (checkUsage || gpus != null) {
            Usage usage = executor.usage(job.handle());
            if (gpus != null) {
                telemetry.recordUsage(jobId, usage, job.gpus(), gpus, now);
            }
            enforceLimits(jobId, job, usage);
        }
    }

    private void enforceLimits(String jobId, Active job, Usage usage) {
        String violation = null;
        if (usage.residentBytes() > job.memoryMb() * 1024 * 1024) {
            violation = "out_of_memory";
        } else if (usage.diskBytes() > job.hddSizeMb() * 1024 * 1024) {
            violation = "disk_quota_exceeded";
        }
        if (violation != null) {
            LOG.info("job {} exceeded its limit ({}): killing it", jobId, violation);
            // Recorded before the kill: the exit the kill causes must not be settled as the reason.
            boolean recorded = jobs.end(jobId, JobState.RUNNING, JobState.FAILED, violation, null);
            executor.kill(job.handle());
            if (recorded) {
                finish(jobId, job.handle());
            }
        }
    }

    /** Decides how a job whose process ended finished, records it, and tidies up. Idempotent. */
    private void settle(String jobId) {
        Active job = active.get(jobId);
        if (job == null) {
            return;
        }
        Observation observation = executor.observe(job.handle());
        if (observation instanceof Observation.Running) {
            return;
        }
        if (job.runningRecorded() && job.killAt() == null) {
            // The common case, without reading the row: the end is compare-and-set from RUNNING, so
            // a stop that came in meanwhile makes it fail and the row decides below.
            Outcome outcome = outcome(JobState.RUNNING, null, observation);
            if (jobs.end(jobId, JobState.RUNNING, outcome.state(), outcome.reason(), outcome.exitCode())) {
                finish(jobId, job.handle());
                return;
            }
        }
        JobRow row = jobs.row(jobId).orElse(null);
        if (row != null && row.jobState() == JobState.STARTING) {
            return;
        }
        if (row != null && !row.jobState().isTerminal()) {
            Outcome outcome = outcome(row, observation);
            jobs.end(jobId, row.jobState(), outcome.state(), outcome.reason(), outcome.exitCode());
        }
        finish(jobId, job.handle());
    }

    private void finish(String jobId, ExecutionHandle handle) {
        if (active.remove(jobId) == null) {
            return;
        }
        executor.cleanUp(handle);
        logs.finish(jobId, executor.logDir(handle));
        telemetry.jobEnded(jobId);
    }

    /** How the job ended, in our terms, from what the executor saw and what was asked of it. */
    record Outcome(JobState state, String reason, Integer exitCode) {}

    static Outcome outcome(JobRow row, Observation observation) {
        return outcome(row.jobState(), row.reason(), observation);
    }

    /** @param state the job's state now, @param reason the reason of its last transition */
    static Outcome outcome(JobState state, String reason, Observation observation) {
        Integer exitCode = observation instanceof Observation.Exited exited ? exited.exitCode() : null;
        if (state == JobState.STOPPING) {
            return "expired".equals(reason)
                    ? new Outcome(JobState.EXPIRED, "expired", exitCode)
                    : new Outcome(JobState.STOPPED, reason, exitCode);
        }
        return switch (observation) {
            case Observation.Exited exited
            when exited.phase().equals("setup") -> new Outcome(JobState.FAILED, "setup_failed", exited.exitCode());
            case Observation.Exited exited
            when exited.exitCode() == 0 -> new Outcome(JobState.COMPLETED, "exit_code_0", 0);
            case Observation.Exited exited ->
                new Outcome(JobState.FAILED, "exit_code_" + exited.exitCode(), exited.exitCode());
            case Observation.Vanished vanished -> new Outcome(JobState.LOST, "process_vanished", null);
            case Observation.Running running -> throw new IllegalStateException("a running job has no outcome");
        };
    }

    /**
     * After a restart: jobs still running are adopted again (pid and start time checked), those
     * that ended meanwhile are settled from the status their wrapper left, and the rest are LOST.
     * Nothing is ever launched a second time.
     */
    private void recover() {
        for (JobRow job : jobs.rowsIn(JobState.STARTING, JobState.RUNNING, JobState.STOPPING)) {
            Optional<ExecutionHandle> handle = jobs.handleOf(job).or(() -> executor.find(job.id()));
            if (handle.isEmpty()) {
                if (job.jobState() == JobState.STARTING) {
                    jobs.end(job.id(), JobState.STARTING, JobState.LOST, "lost_during_start", null);
                } else {
                    jobs.end(job.id(), job.jobState(), JobState.LOST, "no_handle", null);
                }
                continue;
            }
            Instant killAt =
                    job.jobState() == JobState.STOPPING ? clock.instant().plus(stopGrace) : null;
            active.put(
                    job.id(),
                    new Active(
                            handle.get(),
                            job.gpuIndices(),
                            job.memoryMb(),
                            job.hddSizeMb(),
                            job.expiresAt(),
                            budgetAt(job, job.startedAt() != null ? job.startedAt() : clock.instant()),
                            killAt,
                            false));
            logs.watch(job.id(), executor.logDir(handle.get()));
            if (job.jobState() == JobState.STARTING) {
                jobs.toRunning(
                        job.id(),
                        handle.get(),
                        clock.instant(),
                        job.expiresAfterMs() == null ? null : clock.instant().plusMillis(job.expiresAfterMs()));
            }
            if (executor.observe(handle.get()) instanceof Observation.Running) {
                LOG.info("re-adopted job {} (pid {})", job.id(), handle.get().pid());
                if (killAt != null) {
                    executor.terminate(handle.get());
                }
                executor.onExit(handle.get()).thenRunAsync(() -> settle(job.id()), launches);
            } else {
                settle(job.id());
            }
        }
    }

    @Override
    public void close() {
        monitor.shutdownNow();
        launches.shutdownNow();
    }
}
