package dev.trainyard.server.telemetry;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The series files with open channels, least recently used first, at most {@code capacity} of them
 * (more only while every candidate for eviction is busy). Keeping channels open is what makes
 * appending cheap; the bound keeps a server with many jobs within its file descriptors.
 *
 * <p>At most one open {@link SeriesFile} exists per path: a new one is opened only under the cache
 * lock, after the previous one was closed under its own lock. Lock order: this cache's lock, then
 * a file's; a file's lock is never held while taking the cache's.
 */
final class SeriesFiles {
    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final LinkedHashMap<Path, SeriesFile> open = new LinkedHashMap<>(16, 0.75f, true);
    private boolean closed;

    SeriesFiles(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        this.capacity = capacity;
    }

    /**
     * The open series file at {@code path} with its lock held (the caller unlocks it), or null if
     * there is no such file and {@code create} is false.
     */
    SeriesFile locked(Path path, boolean create) throws IOException {
        while (true) {
            SeriesFile file = get(path, create);
            if (file == null) {
                return null;
            }
            file.lock.lock();
            if (!file.isClosed()) {
                return file;
            }
            // Evicted or replaced since we got it: take the fresh instance.
            file.lock.unlock();
        }
    }

    /** The open series file at {@code path}, not locked; null as for {@link #locked}. */
    SeriesFile get(Path path, boolean create) throws IOException {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the metric series store is closed");
            }
            SeriesFile file = open.get(path);
            if (file != null && !file.isClosed()) {
                return file;
            }
            file = SeriesFile.open(path, create);
            if (file == null) {
                open.remove(path);
            } else {
                open.put(path, file);
                evictBeyondCapacity(file);
            }
            return file;
        } finally {
            lock.unlock();
        }
    }

    /** Closes every open file, waiting for appends under way; later calls are refused. */
    void close() throws IOException {
        lock.lock();
        try {
            closed = true;
            IOException failure = null;
            for (SeriesFile file : open.values()) {
                file.lock.lock();
                try {
                    file.close();
                } catch (IOException e) {
                    failure = failure == null ? e : addSuppressed(failure, e);
                } finally {
                    file.lock.unlock();
                }
            }
            open.clear();
            if (failure != null) {
                throw failure;
            }
        } finally {
            lock.unlock();
        }
    }

    int openCount() {
        lock.lock();
        try {
            return open.size();
        } finally {
            lock.unlock();
        }
    }

    private void evictBeyondCapacity(SeriesFile keep) throws IOException {
        Iterator<Map.Entry<Path, SeriesFile>> eldestFirst = open.entrySet().iterator();
        while (open.size() > capacity && eldestFirst.hasNext()) {
            SeriesFile file = eldestFirst.next().getValue();
            // A busy file (mid-append or mid-retention) is skipped rather than waited for: the cache
            // lock would otherwise hold up every append of every job.
            if (file != keep && file.lock.tryLock()) {
                try {
                    file.close();
                } finally {
                    file.lock.unlock();
                    eldestFirst.remove();
                }
            } else if (file.isClosed()) {
                eldestFirst.remove();
            }
        }
    }

    private static IOException addSuppressed(IOException failure, IOException e) {
        failure.addSuppressed(e);
        return failure;
    }
}
