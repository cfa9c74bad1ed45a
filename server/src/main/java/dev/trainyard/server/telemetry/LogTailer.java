package dev.trainyard.server.telemetry;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the logs of running jobs indexed: one virtual thread per job polls its {@link LogIndex},
 * every {@code busyInterval} while output arrives and backing off to {@code idleInterval} while the
 * job is quiet, so a line reaches followers within about one interval. When told a job ended it
 * runs {@link LogIndex#finish()} exactly once and stops.
 *
 * <p>The tailer never closes the indexes it drives; their owner does, after {@link #jobEnded}'s
 * future completes or after {@link #close()}.
 */
public final class LogTailer implements AutoCloseable {
    /** Poll interval while output arrives: a new line waits about half of it on average. */
    public static final Duration DEFAULT_BUSY_INTERVAL = Duration.ofMillis(20);
    /**
     * Longest interval for a quiet job: at most 100 ms keeps the median latency of the first line
     * after a pause near 50 ms, and an idle poll is only two size checks.
     */
    public static final Duration DEFAULT_IDLE_INTERVAL = Duration.ofMillis(100);

    private static final Logger LOG = LoggerFactory.getLogger(LogTailer.class);
    private static final Duration FAILURE_INTERVAL = Duration.ofSeconds(1);

    private final long busyNanos;
    private final long idleNanos;
    private final Map<String, Tail> tails = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public LogTailer() {
        this(DEFAULT_BUSY_INTERVAL, DEFAULT_IDLE_INTERVAL);
    }

    public LogTailer(Duration busyInterval, Duration idleInterval) {
        if (busyInterval.isNegative() || busyInterval.isZero() || idleInterval.compareTo(busyInterval) < 0) {
            throw new IllegalArgumentException("need 0 < busyInterval <= idleInterval");
        }
        this.busyNanos = busyInterval.toNanos();
        this.idleNanos = idleInterval.toNanos();
    }

    /** Starts indexing the output of a running job. */
    public void track(String jobId, LogIndex index) {
        if (closed) {
            throw new IllegalStateException("the log tailer is closed");
        }
        Tail tail = new Tail(jobId, index);
        if (tails.putIfAbsent(jobId, tail) != null) {
            throw new IllegalStateException("already tailing the log of job " + jobId);
        }
        tail.thread.start();
    }

    /** Whether the job's log is still being indexed by this tailer. */
    public boolean isTracking(String jobId) {
        return tails.containsKey(jobId);
    }

    /**
     * Tells the tailer the job's process has exited: it indexes the rest of the output, finishes the
     * log and stops. The future completes once the log is complete (calling this again before then
     * returns the same future). Throws if the job is not tracked, for instance already finished.
     */
    public CompletableFuture<Void> jobEnded(String jobId) {
        Tail tail = tails.get(jobId);
        if (tail == null) {
            throw new IllegalArgumentException("not tailing the log of job " + jobId);
        }
        return tail.end();
    }

    /**
     * Stops every tail without finishing its log (the server is shutting down; a restarted server
     * tracks the running jobs again and resumes where the indexes stopped), and waits for them.
     */
    @Override
    public void close() {
        closed = true;
        List<Tail> stopping = List.copyOf(tails.values());
        stopping.forEach(Tail::stop);
        try {
            for (Tail tail : stopping) {
                tail.thread.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the tails still stop, just without us waiting
        }
    }

    private final class Tail implements Runnable {
        private final String jobId;
        private final LogIndex index;
        private final Thread thread;
        private final CompletableFuture<Void> finished = new CompletableFuture<>();
        private volatile boolean ended;
        private volatile boolean stopped;
        private boolean failing;

        Tail(String jobId, LogIndex index) {
            this.jobId = jobId;
            this.index = index;
            this.thread = Thread.ofVirtual().name("log-tail-" + jobId).unstarted(this);
        }

        CompletableFuture<Void> end() {
            ended = true;
            LockSupport.unpark(thread);
            return finished;
        }

        void stop() {
            stopped = true;
            LockSupport.unpark(thread);
        }

        @Override
        public void run() {
            try {
                long wait = busyNanos;
                // Flags are checked before each poll and unpark() leaves a permit, so an end or stop
                // signalled during a poll cuts the following wait short.
                while (!stopped && !ended) {
                    wait = pollOnce(wait);
                    LockSupport.parkNanos(wait);
                }
                if (stopped) {
                    finished.cancel(false);
                } else {
                    index.finish(); // its own final poll picks up the last output
                    finished.complete(null);
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("could not finish the log of job {}", jobId, e);
                finished.completeExceptionally(e);
            } finally {
                tails.remove(jobId, this);
            }
        }

        /** Polls once and returns how long to wait before the next poll. */
        private long pollOnce(long lastWait) throws ClosedChannelException {
            try {
                long added = index.poll();
                failing = false;
                return added > 0 ? busyNanos : Math.min(lastWait * 2, idleNanos);
            } catch (ClosedChannelException e) {
                throw e; // the index was closed under us: retrying cannot help
            } catch (IOException e) {
                if (!failing) {
                    LOG.warn("could not index the log of job {}; retrying", jobId, e);
                }
                failing = true;
                return FAILURE_INTERVAL.toNanos();
            }
        }
    }
}
