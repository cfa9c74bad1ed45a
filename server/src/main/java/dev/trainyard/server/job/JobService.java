package dev.trainyard.server.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trainyard.api.CreateJobRequest;
import dev.trainyard.api.Job;
import dev.trainyard.api.JobState;
import dev.trainyard.api.Page;
import dev.trainyard.api.UserRef;
import dev.trainyard.server.activity.ActivityLog;
import dev.trainyard.server.auth.Secrets;
import dev.trainyard.server.common.ErrorCode;
import dev.trainyard.server.common.Ids;
import dev.trainyard.server.common.PageRequest;
import dev.trainyard.server.common.Principal;
import dev.trainyard.server.common.TrainyardException;
import dev.trainyard.server.credit.CreditPolicy;
import dev.trainyard.server.credit.Money;
import dev.trainyard.server.dataset.DatasetService;
import dev.trainyard.server.dataset.DatasetStore;
import dev.trainyard.server.executor.ExecutionHandle;
import dev.trainyard.server.executor.Inventory;
import dev.trainyard.server.org.Memberships;
import dev.trainyard.server.project.ProjectRow;
import dev.trainyard.server.project.ProjectService;
import dev.trainyard.server.store.Database;
import dev.trainyard.server.telemetry.JobTelemetry;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;

/**
 * Owns every job state change: checks it against {@link JobLifecycle}, writes it with its reason in
 * one transaction (compare-and-set on the state, so a stale writer changes nothing), and publishes
 * a {@link JobEvent} after commit. Nothing else writes job state.
 */
public final class JobService {
    private final JobTelemetry telemetry;
    private final CreditPolicy credits;
    private static final int MAX_IDEMPOTENCY_KEY = 200;

    private final Database database;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final Inventory inventory;
    private final List<Consumer<JobEvent>> listeners = new CopyOnWriteArrayList<>();

    public JobService(
            Database database,
            ObjectMapper mapper,
            Clock clock,
            Inventory inventory,
            JobTelemetry telemetry,
            CreditPolicy credits) {
        this.telemetry = telemetry;
        this.credits = credits;
        this.database = database;
        this.mapper = mapper;
        this.clock = clock;
        this.inventory = inventory;
    }

    public void onEvent(Consumer<JobEvent> listener) {
        listeners.add(listener);
    }

    /** The outcome of a submission: the job, and whether it was a replay of an earlier one. */
    public record Submission(Job job, boolean replayed) {}

    public Submission submit(Principal caller, CreateJobRequest request, String idempotencyKey) {
        JobRequests.Validated job = JobRequests.validate(request);
        requireFits(job);
        String key = idempotencyKey == null || idempotencyKey.isBlank() ? null : idempotencyKey.trim();
        if (key != null && key.length() > MAX_IDEMPOTENCY_KEY) {
            throw TrainyardException.invalid(
                    "Idempotency-Key", "is longer than " + MAX_IDEMPOTENCY_KEY + " characters");
        }
        String requestHash = Secrets.sha256(json(request));
        // Checks first, on a reader: the single SQLite writer is held only for the inserts.
        Optional<Submission> earlier =
                key == null ? Optional.empty() : database.read(handle -> replay(handle, caller, key, requestHash));
        if (earlier.isPresent()) {
            return earlier.get();
        }
        ProjectRow project = database.read(handle -> {
            ProjectService.Visible visible = ProjectService.visibleWithRole(handle, caller, job.projectId());
            Memberships.requireWriter(visible.role());
            DatasetService.requireUsable(handle, visible.project().organizationId(), job.datasets());
            return visible.project();
        });
        JobRow row = newRow(caller, project, job, key, requestHash, clock.instant());
        try {
            database.writeVoid(handle -> {
                // Held in the same transaction as the job is created: a 402 creates nothing.
                credits.ledger().hold(handle, row.organizationId(), row.held(), row.createdAt());
                insert(handle, row, job.tags());
                if (!job.datasets().isEmpty()) {
                    handle.attach(DatasetStore.class).useInJob(row.id(), job.datasets());
                }
            });
        } catch (RuntimeException e) {
            if (key == null || !Database.isUniqueViolation(e)) {
                throw e;
            }
            // A concurrent retry with the same key won the insert: answer with its job.
            return database.read(handle -> replay(handle, caller, key, requestHash))
                    .orElseThrow(() -> e);
        }
        publish(new JobEvent(row.id(), null, JobState.QUEUED, "submitted"));
        return new Submission(
                toJob(row, List.of(new Job.Transition(null, JobState.QUEUED, "submitted", row.createdAt()))), false);
    }

    private JobRow newRow(
            Principal caller,
            ProjectRow project,
            JobRequests.Validated job,
            String key,
            String requestHash,
            Instant now) {
        long costPerHour = credits.costPerHour(job.gpuType(), job.gpus(), job.cpuCores(), job.memoryMb());
        return new JobRow(
                Ids.newId("j"),
                project.organizationId(),
                project.id(),
                caller.userId(),
                caller.username(),
                caller.email(),
                job.name(),
                job.description(),
                JobState.QUEUED.name(),
                "submitted",
                "waiting for the scheduler",
                job.priority(),
                job.gpuType(),
                job.gpus(),
                job.cpuCores(),
                job.memoryMb(),
                job.hddSizeMb(),
                job.image(),
                job.setupCommand(),
                job.runCommand(),
                json(job.envVars()),
                json(job.tags()),
                job.expires(),
                job.expiresAfter() == null ? null : job.expiresAfter().toMillis(),
                null,
                null,
                null,
                null,
                null,
                null,
                key,
                requestHash,
                now,
                null,
                null,
                0,
                costPerHour,
                job.maxCostMicros(),
                credits.periodCost(costPerHour),
                0,
                null,
                0);
    }

    private static void insert(Handle handle, JobRow row, List<String> tags) {
        JobStore store = handle.attach(JobStore.class);
        store.insert(row);
        if (!tags.isEmpty()) {
            store.insertTags(row.id(), tags);
        }
        store.insertTransition(Ids.newId("x"), row.id(), null, JobState.QUEUED.name(), "submitted", row.createdAt());
        ActivityLog.record(
                handle,
                row.organizationId(),
                row.projectId(),
                row.ownerId(),
                "job.submitted",
                row.id() + " " + row.name(),
                row.createdAt());
    }

    private Optional<Submission> replay(Handle handle, Principal caller, String key, String requestHash) {
        return handle.attach(JobStore.class)
                .findByIdempotencyKey(caller.userId(), key)
                .map(existing -> {
                    if (!existing.requestHash().equals(requestHash)) {
                        throw TrainyardException.of(
                                ErrorCode.CONFLICT,
                                "Idempotency-Key '" + key + "' was already used for a different request (job "
                                        + existing.id() + ")");
                    }
                    return new Submission(toJob(handle, existing), true);
                });
    }

    /** Refuses at once what this server could never run, saying what it has. */
    private void requireFits(JobRequests.Validated job) {
        List<String> problems = new ArrayList<>();
        if (job.gpus() > 0) {
            long matching = inventory.gpus().stream()
                    .filter(gpu -> gpu.matches(job.gpuType()))
                    .count();
            if (matching < job.gpus()) {
                problems.add("asks for " + job.gpus() + " GPU" + (job.gpus() == 1 ? "" : "s")
                        + (job.gpuType() == null ? "" : " of type " + job.gpuType()) + " but this server has "
                        + describeGpus());
            }
        }
        if (job.cpuCores() > inventory.cpuCores()) {
            problems.add("asks for " + job.cpuCores() + " CPU cores but this server offers " + inventory.cpuCores());
        }
        if (job.memoryMb() > inventory.memoryMb()) {
            problems.add("asks for " + job.memoryMb() + " MB of memory but this server offers " + inventory.memoryMb()
                    + " MB");
        }
        if (!problems.isEmpty()) {
            throw TrainyardException.of(
                    ErrorCode.VALIDATION_FAILED, "this job can never run here: " + String.join("; ", problems));
        }
    }

    private String describeGpus() {
        if (inventory.gpus().isEmpty()) {
            return "no GPUs";
        }
        Map<String, Long> byType = inventory.gpus().stream()
                .collect(Collectors.groupingBy(Inventory.Gpu::type, java.util.TreeMap::new, Collectors.counting()));
        return byType.entrySet().stream()
                .map(entry -> entry.getValue() + "× " + entry.getKey())
                .collect(Collectors.joining(", "));
    }

    public Page<Job> list(
            Principal caller, String organizationId, String projectId, String status, String tag, PageRequest page) {
        String state = status == null ? null : parseState(status).name();
        return database.read(handle -> {
            if (organizationId != null) {
                Memberships.roleIn(handle, organizationId, caller);
            }
            if (projectId != null) {
                ProjectService.visible(handle, caller, projectId);
            }
            JobStore store = handle.attach(JobStore.class);
            List<Job> items = store
                    .listVisible(caller.userId(), organizationId, projectId, state, tag, page.skip(), page.take())
                    .stream()
                    .map(row -> toJob(row, List.of()))
                    .toList();
            return new Page<>(
                    items,
                    store.countVisible(caller.userId(), organizationId, projectId, state, tag),
                    page.skip(),
                    page.take());
        });
    }

    public Job get(Principal caller, String jobId) {
        return database.read(handle -> toJob(handle, visible(handle, caller, jobId)));
    }

    /** The job's row if the caller may see it; 404 otherwise. */
    public JobRow visibleRow(Principal caller, String jobId) {
        return database.read(handle -> visible(handle, caller, jobId));
    }

    /** Asks a job to stop: a queued job stops at once, a running one goes through STOPPING. */
    public Job stop(Principal caller, String jobId) {
        JobRow job = database.read(handle -> {
            JobRow row = visible(handle, caller, jobId);
            Memberships.requireWriter(handle, row.organizationId(), caller);
            return row;
        });
        // Each change is compare-and-set: when the scheduler or the runner moved the job meanwhile
        // (QUEUED became STARTING, say), look again rather than lose the stop.
        JobState state = job.jobState();
        for (int attempt = 0; attempt < 10; attempt++) {
            boolean done = switch (state) {
                case QUEUED -> end(jobId, JobState.QUEUED, JobState.STOPPED, "stopped_by_user", null);
                case STARTING, RUNNING -> toStopping(jobId, state, "stopped_by_user");
                case STOPPING -> true; // already on its way down: stopping twice is the same request
                case COMPLETED, FAILED, STOPPED, EXPIRED, LOST -> {
                    if (attempt == 0) {
                        throw TrainyardException.conflict("job " + jobId + " has already ended (" + state + ")");
                    }
                    yield true; // it ended by itself while we tried
                }
            };
            if (done) {
                break;
            }
            state = row(jobId).map(JobRow::jobState).orElse(JobState.LOST);
        }
        return get(caller, jobId);
    }

    // ---- transitions driven by the scheduler and the runner -------------------------------------

    /** A queued job the scheduler chose, and the GPUs it assigned. */
    public record Assignment(String jobId, List<Integer> gpus) {}

    /**
     * QUEUED → STARTING for every job of one scheduling pass, in one transaction; returns the ids
     * of the jobs that were still queued (the others moved on, e.g. were stopped).
     */
    public Set<String> toStarting(List<Assignment> assignments, String executor, String node) {
        if (assignments.isEmpty()) {
            return Set.of();
        }
        Instant now = clock.instant();
        Set<String> changed = database.write(handle -> {
            JobStore store = handle.attach(JobStore.class);
            Set<String> moved = new LinkedHashSet<>();
            for (Assignment assignment : assignments) {
                String assigned = JobRow.joinGpuIndices(assignment.gpus());
                if (store.markStarting(assignment.jobId(), executor, node, assigned, "scheduled") == 1) {
                    store.insertTransition(
                            Ids.newId("x"),
                            assignment.jobId(),
                            JobState.QUEUED.name(),
                            JobState.STARTING.name(),
                            "scheduled",
                            now);
                    moved.add(assignment.jobId());
                }
            }
            return moved;
        });
        for (String jobId : changed) {
            publish(new JobEvent(jobId, JobState.QUEUED, JobState.STARTING, "scheduled"));
        }
        return changed;
    }

    /** STARTING → RUNNING with the executor's handle; false when the job moved on (e.g. stopped). */
    public boolean toRunning(String jobId, ExecutionHandle executorHandle, Instant startedAt, Instant expiresAt) {
        boolean changed = database.write(handle -> {
            JobStore store = handle.attach(JobStore.class);
            if (store.markRunning(jobId, json(executorHandle), startedAt, expiresAt, "started") == 0) {
                return false;
            }
            store.insertTransition(
                    Ids.newId("x"), jobId, JobState.STARTING.name(), JobState.RUNNING.name(), "started", startedAt);
            return true;
        });
        if (changed) {
            publish(new JobEvent(jobId, JobState.STARTING, JobState.RUNNING, "started"));
        }
        return changed;
    }

    /** STARTING or RUNNING → STOPPING with a reason (a stop request, expiry); false when the job moved on. */
    public boolean toStopping(String jobId, JobState from, String reason) {
        return change(jobId, from, JobState.STOPPING, reason);
    }

    /** Ends a job in a terminal state; false when it was no longer in {@code from}. */
    public boolean end(String jobId, JobState from, JobState to, String reason, Integer exitCode) {
        if (!JobLifecycle.allows(from, to) || !to.isTerminal()) {
            throw new IllegalStateException("illegal job transition " + from + " -> " + to);
        }
        Instant now = clock.instant();
        boolean changed = database.write(handle -> {
            JobStore store = handle.attach(JobStore.class);
            if (store.markEnded(jobId, from.name(), to.name(), reason, exitCode, now) == 0) {
                return false;
            }
            store.insertTransition(Ids.newId("x"), jobId, from.name(), to.name(), reason, now);
            return true;
        });
        if (changed) {
            publish(new JobEvent(jobId, from, to, reason));
        }
        return changed;
    }

    /** The principal a job's token stands for while the job has not ended: the job, for its owner. */
    public Optional<Principal> jobPrincipal(String jobId) {
        if (!Ids.looksLike("j", jobId)) {
            return Optional.empty();
        }
        return row(jobId)
                .filter(row -> !row.jobState().isTerminal())
                .map(row -> new Principal(
                        row.ownerId(),
                        row.ownerUsername(),
                        row.ownerEmail(),
                        false,
                        Principal.Method.JOB_TOKEN,
                        null,
                        jobId));
    }

    /**
     * The job a caller may report on: its own job for a job token, or a job the user may write to;
     * 403 for a job token naming another job.
     */
    public JobRow reportable(Principal caller, String jobId) {
        if (caller.isJob()) {
            if (!caller.jobId().equals(jobId)) {
                throw TrainyardException.forbidden("a job token can only report on its own job");
            }
            return row(jobId).orElseThrow(() -> TrainyardException.notFound("job", jobId));
        }
        return database.read(handle -> {
            JobRow row = visible(handle, caller, jobId);
            Memberships.requireWriter(handle, row.organizationId(), caller);
            return row;
        });
    }

    public void setPendingReason(String jobId, String reason) {
        database.writeVoid(handle -> handle.attach(JobStore.class).setPendingReason(jobId, reason));
    }

    public Optional<JobRow> row(String jobId) {
        return database.read(handle -> handle.attach(JobStore.class).findById(jobId));
    }

    public List<JobRow> rowsIn(JobState... states) {
        List<String> names = Arrays.stream(states).map(JobState::name).toList();
        return database.read(handle -> handle.attach(JobStore.class).inStates(names));
    }

    public List<JobRow> queued(int limit) {
        return database.read(handle -> handle.attach(JobStore.class).queued(limit));
    }

    public Map<String, String> environmentOf(JobRow job) {
        try {
            return mapper.readValue(job.envVars(), new TypeReference<Map<String, String>>() {});
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable environment of job " + job.id(), e);
        }
    }

    public Optional<ExecutionHandle> handleOf(JobRow job) {
        if (job.handle() == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(mapper.readValue(job.handle(), ExecutionHandle.class));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable handle of job " + job.id(), e);
        }
    }

    private boolean change(String jobId, JobState from, JobState to, String reason) {
        if (!JobLifecycle.allows(from, to)) {
            throw new IllegalStateException("illegal job transition " + from + " -> " + to);
        }
        boolean changed = database.write(handle -> {
            JobStore store = handle.attach(JobStore.class);
            if (store.changeState(jobId, from.name(), to.name(), reason) == 0) {
                return false;
            }
            store.insertTransition(Ids.newId("x"), jobId, from.name(), to.name(), reason, clock.instant());
            return true;
        });
        if (changed) {
            publish(new JobEvent(jobId, from, to, reason));
        }
        return changed;
    }

    private void publish(JobEvent event) {
        for (Consumer<JobEvent> listener : listeners) {
            listener.accept(event);
        }
    }

    private static JobState parseState(String status) {
        try {
            return JobState.parse(status);
        } catch (IllegalArgumentException e) {
            throw TrainyardException.invalid("status", e.getMessage());
        }
    }

    private static JobRow visible(Handle handle, Principal caller, String jobId) {
        if (!Ids.looksLike("j", jobId)) {
            throw TrainyardException.notFound("job", jobId);
        }
        JobRow job = handle.attach(JobStore.class)
                .findById(jobId)
                .orElseThrow(() -> TrainyardException.notFound("job", jobId));
        try {
            Memberships.roleIn(handle, job.organizationId(), caller);
        } catch (TrainyardException notMember) {
            throw TrainyardException.notFound("job", jobId);
        }
        return job;
    }

    private Job toJob(Handle handle, JobRow row) {
        List<Job.Transition> transitions = handle.attach(JobStore.class).transitions(row.id()).stream()
                .map(t -> new Job.Transition(
                        t.fromState() == null ? null : JobState.valueOf(t.fromState()),
                        JobState.valueOf(t.toState()),
                        t.reason(),
                        t.at()))
                .toList();
        return toJob(row, transitions);
    }

    private Job toJob(JobRow row, List<Job.Transition> transitions) {
        List<String> envNames;
        List<String> tags;
        try {
            envNames = List.copyOf(mapper.readValue(row.envVars(), new TypeReference<Map<String, String>>() {})
                    .keySet());
            tags = mapper.readValue(row.tags(), new TypeReference<List<String>>() {});
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable job " + row.id(), e);
        }
        return new Job(
                row.id(),
                row.name(),
                row.description(),
                row.projectId(),
                row.organizationId(),
                new UserRef(row.ownerId(), row.ownerUsername(), row.ownerEmail()),
                row.jobState(),
                row.reason(),
                row.jobState() == JobState.QUEUED ? row.pendingReason() : null,
                row.createdAt(),
                row.startedAt(),
                row.finishedAt(),
                new Job.Resources(
                        row.gpuType(),
                        row.gpus(),
                        row.cpuCores(),
                        BigDecimal.valueOf(row.memoryMb())
                                .divide(BigDecimal.valueOf(1024), 3, RoundingMode.HALF_UP)
                                .stripTrailingZeros(),
                        row.hddSizeMb()),
                row.gpuIndices(),
                row.image(),
                row.setupCommand(),
                row.runCommand(),
                envNames,
                row.expires(),
                row.expiresAt(),
                row.priority(),
                tags,
                row.executor(),
                row.node(),
                row.exitCode(),
                telemetry.percent(row.id(), row.jobState()),
                telemetry.summaryMetrics(row.id()),
                Money.credits(row.costPerHour()),
                Money.credits(costSoFar(row)),
                gpuHours(row),
                projectedCost(row),
                row.maxCost() == null ? null : Money.credits(row.maxCost()),
                transitions);
    }

    /** Milliseconds the job has run: from its start to its end, or to now while it runs. */
    long runMillis(JobRow row) {
        if (row.startedAt() == null) {
            return 0;
        }
        Instant end = row.finishedAt() != null ? row.finishedAt() : clock.instant();
        return Math.max(0, end.toEpochMilli() - row.startedAt().toEpochMilli());
    }

    /** What was billed once the job is settled, else the cost of its run so far (same rounding). */
    private long costSoFar(JobRow row) {
        return row.billingSettled() == 1 ? row.billed() : Money.costOf(row.costPerHour(), runMillis(row));
    }

    private java.math.BigDecimal gpuHours(JobRow row) {
        return java.math.BigDecimal.valueOf((long) row.gpus() * runMillis(row))
                .divide(java.math.BigDecimal.valueOf(3_600_000L), 4, java.math.RoundingMode.HALF_UP)
                .stripTrailingZeros();
    }

    /** While running: the cost at the end the progress ETA points to; null when there is no ETA. */
    private java.math.BigDecimal projectedCost(JobRow row) {
        if (row.jobState() != JobState.RUNNING) {
            return null;
        }
        Long eta = telemetry.progressView(row.id(), row.jobState()).etaSeconds();
        return eta == null ? null : Money.credits(Money.costOf(row.costPerHour(), runMillis(row) + eta * 1000));
    }

    private String json(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }
}
