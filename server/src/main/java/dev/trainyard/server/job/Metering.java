package dev.trainyard.server.job;

import dev.trainyard.api.JobState;
import dev.trainyard.server.credit.CreditPolicy;
import dev.trainyard.server.credit.Ledger;
import dev.trainyard.server.credit.LedgerStore;
import dev.trainyard.server.credit.Money;
import dev.trainyard.server.store.Database;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bills jobs for the time they run: every metering period for running jobs, and exactly at the
 * end from the recorded start and end times. A job's bill is always "the cost of its run so far"
 * ({@link Money#costOf}) minus what was billed before, written with a compare-and-set on the job's
 * {@code billed} in the same transaction as the usage entry, so a period is never billed twice or
 * lost, across crashes too, and a job's usage entries add up to its cost rounded once.
 *
 * <p>After each period a running job's organization must still cover what its jobs hold for their
 * next period; when it cannot, the job is stopped with {@code credits_exhausted}. A stopped job is
 * also billed for its stop grace period, so that last bill can take a balance below zero.
 */
public final class Metering implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Metering.class);
    private static final List<String> TERMINAL = Arrays.stream(JobState.values())
            .filter(JobState::isTerminal)
            .map(Enum::name)
            .toList();

    private final Database database;
    private final JobService jobs;
    private final CreditPolicy credits;
    private final Clock clock;
    private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("trainyard-metering").daemon().factory());
    private final ExecutorService settling = Executors.newVirtualThreadPerTaskExecutor();

    public Metering(Database database, JobService jobs, CreditPolicy credits, Clock clock) {
        this.database = database;
        this.jobs = jobs;
        this.credits = credits;
        this.clock = clock;
        jobs.onEvent(event -> {
            if (event.to().isTerminal()) {
                settling.submit(() -> settleQuietly(event.jobId()));
            }
        });
    }

    /** Settles what ended while the server was down, then bills running jobs every period. */
    public void start() {
        for (JobRow ended :
                database.read(handle -> handle.attach(JobStore.class).unsettledIn(TERMINAL))) {
            settleQuietly(ended.id());
        }
        long period = credits.meteringPeriod().toMillis();
        ticks.scheduleWithFixedDelay(this::tickQuietly, period, period, TimeUnit.MILLISECONDS);
    }

    private void tickQuietly() {
        try {
            tick();
        } catch (RuntimeException e) {
            LOG.error("a metering pass failed", e);
        }
    }

    /** Bills every running job up to now and stops those whose organization cannot pay on. */
    void tick() {
        for (JobRow job : jobs.rowsIn(JobState.RUNNING, JobState.STOPPING)) {
            try {
                LedgerStore.AccountRow account = bill(job.id(), clock.instant(), false);
                if (job.jobState() == JobState.RUNNING && account != null && account.balance() < account.reserved()) {
                    LOG.info("job {} stopped: its organization's credits cannot pay its next period", job.id());
                    jobs.toStopping(job.id(), JobState.RUNNING, "credits_exhausted");
                }
            } catch (RuntimeException e) {
                LOG.error("metering job {} failed", job.id(), e);
            }
        }
    }

    private void settleQuietly(String jobId) {
        try {
            bill(jobId, null, true);
        } catch (RuntimeException e) {
            LOG.error("settling the bill of job {} failed; it is retried at the next start", jobId, e);
        }
    }

    /**
     * Bills the job up to {@code upTo} (its recorded end when settling) in one transaction;
     * settling also releases what it held. Returns its organization's account afterwards, or null
     * when there was nothing to do.
     */
    private LedgerStore.AccountRow bill(String jobId, Instant upTo, boolean settle) {
        Instant now = clock.instant();
        return database.write(handle -> {
            JobStore store = handle.attach(JobStore.class);
            JobRow job = store.findById(jobId).orElse(null);
            if (job == null || job.billingSettled() == 1) {
                return null;
            }
            Ledger ledger = credits.ledger();
            Instant end = settle ? job.finishedAt() : upTo;
            if (job.startedAt() != null && end != null && end.isAfter(job.startedAt())) {
                long target = Money.costOf(
                        job.costPerHour(), end.toEpochMilli() - job.startedAt().toEpochMilli());
                long amount = target - job.billed();
                if (amount > 0) {
                    if (store.markBilled(jobId, job.billed(), target, end) != 1) {
                        return null; // billed by someone else meanwhile: their bill stands
                    }
                    ledger.post(
                            handle,
                            job.organizationId(),
                            Ledger.USAGE,
                            -amount,
                            jobId,
                            "run time " + (job.billedUntil() == null ? job.startedAt() : job.billedUntil()) + " to "
                                    + end,
                            null,
                            now);
                }
            }
            if (settle) {
                ledger.release(handle, job.organizationId(), job.held());
                store.markSettled(jobId);
            }
            return ledger.peek(handle, job.organizationId());
        });
    }

    @Override
    public void close() {
        ticks.shutdownNow();
        settling.shutdown();
        try {
            settling.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
