package dev.trainyard.server.telemetry;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Lets followers of a series sleep until it changes. Kept apart from {@link SeriesFiles} because a
 * follower may wait on a series whose file is evicted, replaced or not even created yet; an entry
 * exists only while someone waits, so appends to unwatched series cost one map lookup.
 */
final class SeriesWaiters {
    private final ConcurrentHashMap<Path, Waiters> byFile = new ConcurrentHashMap<>();

    /** Something that can be checked again after each change; it may do I/O. */
    interface Check {
        boolean done() throws IOException;
    }

    /** Waits until {@code check} passes or {@code timeout} runs out; returns whether it passed. */
    boolean await(Path file, Check check, Duration timeout) throws IOException, InterruptedException {
        Waiters waiters = byFile.compute(file, (key, existing) -> (existing == null ? new Waiters() : existing).join());
        try {
            return waiters.await(check, timeout.toNanos());
        } finally {
            byFile.computeIfPresent(file, (key, existing) -> existing.leave() ? null : existing);
        }
    }

    /** Wakes the followers of {@code file}, if any. */
    void changed(Path file) {
        Waiters waiters = byFile.get(file);
        if (waiters != null) {
            waiters.signal();
        }
    }

    /** How many threads wait on {@code file}; for tests. */
    int waiting(Path file) {
        Waiters waiters = byFile.get(file);
        return waiters == null ? 0 : waiters.users;
    }

    private static final class Waiters {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        // Only changed inside the map's compute, which serializes it per file; volatile for waiting().
        private volatile int users;
        private long version;

        Waiters join() {
            users++;
            return this;
        }

        /** Returns whether the last user left. */
        boolean leave() {
            return --users == 0;
        }

        boolean await(Check check, long nanos) throws IOException, InterruptedException {
            while (true) {
                // The check does I/O, so it runs outside the lock; a change between the check and
                // the wait bumps the version, and the wait then returns at once.
                long seen = version();
                if (check.done()) {
                    return true;
                }
                lock.lock();
                try {
                    while (version == seen) {
                        if (nanos <= 0) {
                            return false;
                        }
                        nanos = changed.awaitNanos(nanos);
                    }
                } finally {
                    lock.unlock();
                }
            }
        }

        void signal() {
            lock.lock();
            try {
                version++;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        private long version() {
            lock.lock();
            try {
                return version;
            } finally {
                lock.unlock();
            }
        }
    }
}
