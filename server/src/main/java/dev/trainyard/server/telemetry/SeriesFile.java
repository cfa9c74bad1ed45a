package dev.trainyard.server.telemetry;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The writing side of one series file: an open channel, the number of whole records in it, and the
 * lock that every change holds, so that batches never interleave. {@link SeriesFiles} makes sure
 * that at most one open instance exists per file; readers open their own channels.
 *
 * <p>Once {@link #isClosed()} the instance is done for: whoever meets it asks {@link SeriesFiles}
 * for a fresh one (retention closes it because the file was replaced, eviction to free the channel).
 */
final class SeriesFile {
    private static final int RECORDS_PER_READ = 4096;

    // ReentrantLock rather than synchronized: writes do file I/O while holding it, which would pin
    // a virtual thread to its carrier on Java 21.
    final ReentrantLock lock = new ReentrantLock();

    private final Path path;
    private final FileChannel channel;
    private volatile long count;
    private volatile boolean closed;

    private SeriesFile(Path path, FileChannel channel, long count) {
        this.path = path;
        this.channel = channel;
        this.count = count;
    }

    /**
     * Opens the series file, dropping a torn or zero-filled tail left by a crash; returns null if
     * the file does not exist and {@code create} is false. Creates the {@code metrics} folder but
     * not the job folder, so a late batch cannot bring back a deleted job's folder.
     */
    static SeriesFile open(Path path, boolean create) throws IOException {
        if (create) {
            createFolder(path.getParent());
        } else if (!Files.exists(path)) {
            return null; // spares an exception for every look at a series that was never written
        }
        FileChannel channel;
        try {
            channel = create
                    ? FileChannel.open(
                            path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)
                    : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            if (create) {
                throw e;
            }
            return null;
        }
        try {
            return new SeriesFile(path, channel, repair(channel));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** How many whole records the file holds; published after each append. */
    long count() {
        return count;
    }

    boolean isClosed() {
        return closed;
    }

    /** Appends whole records (the buffer is ready to be written). The caller holds {@link #lock}. */
    void append(ByteBuffer records) throws IOException {
        long start = count * MetricRecord.SIZE;
        long added = records.remaining() / MetricRecord.SIZE;
        try {
            // Positional writes: a failed write is overwritten by the next one rather than leaving a
            // torn record in the middle of the file.
            for (long position = start; records.hasRemaining(); ) {
                position += channel.write(records, position);
            }
        } catch (IOException e) {
            if (channel.isOpen()) {
                truncateQuietly(start, e);
            } else {
                // An interrupted writer closes the channel for everyone: let the next one reopen it
                // (whole records this write got out are kept then; the caller saw it fail anyway).
                closed = true;
            }
            throw e;
        }
        count += added; // only the lock holder writes it; the volatile write publishes the records
    }

    /**
     * Rewrites the file keeping only points measured at or after {@code fromMillis}, via a
     * temporary file that replaces it atomically, or deletes it if no point is kept; either way this
     * instance is closed then. Returns the number kept. The caller holds {@link #lock}.
     */
    long retain(long fromMillis) throws IOException {
        Path temp = path.resolveSibling(path.getFileName() + ".tmp");
        try {
            long kept = SeriesRetention.copy(channel, count, temp, fromMillis);
            if (kept < count) {
                channel.close();
                replace(temp, kept);
            }
            return kept;
        } finally {
            Files.deleteIfExists(temp);
            // Only now: until the file is replaced, a fresh instance would reopen the old one.
            closed = !channel.isOpen();
        }
    }

    /** Closes the channel. The caller holds {@link #lock}, so no append is under way. */
    void close() throws IOException {
        closed = true;
        channel.close();
    }

    private void replace(Path temp, long kept) throws IOException {
        if (kept == 0) {
            Files.delete(path);
        } else {
            Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private void truncateQuietly(long size, IOException cause) {
        try {
            channel.truncate(size);
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }

    private static void createFolder(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            try {
                Files.createDirectory(folder);
            } catch (FileAlreadyExistsException e) {
                // another series of the same job created it first
            }
        }
    }

    /** Truncates the file to its whole, non-zero records and returns how many there are. */
    private static long repair(FileChannel channel) throws IOException {
        long size = channel.size();
        long records = size / MetricRecord.SIZE;
        ByteBuffer buffer =
                ByteBuffer.allocate(Math.min(RECORDS_PER_READ, (int) Math.max(records, 1)) * MetricRecord.SIZE);
        boolean zeroTail = true;
        while (records > 0 && zeroTail) {
            int batch = (int) Math.min(records, buffer.capacity() / MetricRecord.SIZE);
            long first = records - batch;
            buffer.clear().limit(batch * MetricRecord.SIZE);
            if (RawLog.readFully(channel, first * MetricRecord.SIZE, buffer) < buffer.limit()) {
                throw new IOException("a metric series shrank while it was being opened");
            }
            for (int i = batch - 1; i >= 0 && zeroTail; i--) {
                zeroTail = MetricRecord.isZero(buffer, i);
                records = zeroTail ? first + i : first + i + 1;
            }
        }
        if (size != records * MetricRecord.SIZE) {
            channel.truncate(records * MetricRecord.SIZE);
        }
        return records;
    }
}
