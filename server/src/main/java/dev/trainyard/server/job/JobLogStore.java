package dev.trainyard.server.job;

import dev.trainyard.api.JobLogs;
import dev.trainyard.server.telemetry.LogIndex;
import dev.trainyard.server.telemetry.LogLine;
import dev.trainyard.server.telemetry.LogTailer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jobs' logs: indexes the output of running jobs as they write it (through the tailer) and reads
 * pages of any job's log. Readers of a running job share its live index, so followers are woken
 * by new lines instead of polling.
 */
public final class JobLogStore implements LogCapture, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JobLogStore.class);

    private final Clock clock;
    private final LogTailer tailer = new LogTailer();
    private final Map<String, LogIndex> live = new ConcurrentHashMap<>();
    private final BiConsumer<String, List<LogLine>> newLines;

    public JobLogStore(Clock clock) {
        this(clock, (jobId, lines) -> {});
    }

    /** @param newLines gets every batch of newly indexed lines of a job (for marker lines), quickly */
    public JobLogStore(Clock clock, BiConsumer<String, List<LogLine>> newLines) {
        this.clock = clock;
        this.newLines = newLines;
    }

    @Override
    public void watch(String jobId, Path dir) {
        try {
            LogIndex index = LogIndex.open(dir, clock, lines -> newLines.accept(jobId, lines));
            LogIndex previous = live.put(jobId, index);
            if (previous != null) {
                previous.close();
            }
            tailer.track(jobId, index);
        } catch (IOException e) {
            LOG.error("cannot index the log of job {} in {}", jobId, dir, e);
        }
    }

    @Override
    public void finish(String jobId, Path dir) {
        LogIndex index = live.get(jobId);
        try {
            if (index == null || !tailer.isTracking(jobId)) {
                try (LogIndex closed = LogIndex.open(dir, clock, lines -> newLines.accept(jobId, lines))) {
                    closed.finish();
                }
                return;
            }
            tailer.jobEnded(jobId).get(5, TimeUnit.MINUTES);
        } catch (IOException | ExecutionException | TimeoutException e) {
            LOG.error("cannot complete the log of job {}", jobId, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            LogIndex removed = live.remove(jobId);
            if (removed != null) {
                closeQuietly(removed);
            }
        }
    }

    /** A page of a job's log; {@code dir} null when the job never started (no log yet). */
    public JobLogs read(String jobId, Path dir, boolean ended, long offset, int limit) {
        if (dir == null) {
            return new JobLogs(jobId, List.of(), offset, ended);
        }
        return withIndex(jobId, dir, index -> {
            List<LogLine> lines = index.read(offset, limit);
            long next = lines.isEmpty() ? Math.max(offset, 0) : lines.getLast().line() + 1;
            boolean complete = index.isComplete() && next >= index.lineCount();
            return new JobLogs(jobId, lines.stream().map(JobLogStore::toApi).toList(), next, complete);
        });
    }

    /** Writes lines as plain text, one per line. */
    public void copyText(String jobId, Path dir, long offset, long limit, OutputStream out) {
        if (dir == null) {
            return;
        }
        withIndex(jobId, dir, index -> index.copyText(offset, limit, out));
    }

    /** Waits until the log has more than {@code offset} lines or is complete; false on time-out. */
    public boolean await(String jobId, Path dir, long offset, Duration timeout) throws InterruptedException {
        LogIndex index = live.get(jobId);
        if (index != null) {
            return index.awaitLines(offset, timeout);
        }
        // Not being indexed (ended, or not yet watched after a restart): look again shortly.
        Thread.sleep(Math.min(timeout.toMillis(), 200));
        return true;
    }

    /** Whether the job's output is being indexed now (it runs on this server). */
    public boolean isLive(String jobId) {
        return live.containsKey(jobId);
    }

    private <T> T withIndex(String jobId, Path dir, IndexWork<T> work) {
        try {
            LogIndex index = live.get(jobId);
            if (index != null) {
                return work.apply(index);
            }
            try (LogIndex closed = LogIndex.open(dir, clock)) {
                return work.apply(closed);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the log of job " + jobId, e);
        }
    }

    @FunctionalInterface
    private interface IndexWork<T> {
        T apply(LogIndex index) throws IOException;
    }

    private static JobLogs.Line toApi(LogLine line) {
        return new JobLogs.Line(
                line.line(), line.time(), line.stream().name().toLowerCase(java.util.Locale.ROOT), line.text());
    }

    private static void closeQuietly(LogIndex index) {
        try {
            index.close();
        } catch (IOException e) {
            LOG.warn("closing a log index failed", e);
        }
    }

    @Override
    public void close() {
        tailer.close();
        live.values().forEach(JobLogStore::closeQuietly);
        live.clear();
    }
}
