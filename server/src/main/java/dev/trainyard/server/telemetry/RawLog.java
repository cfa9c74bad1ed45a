package dev.trainyard.server.telemetry;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The indexer's side of one raw output file, which the job process writes itself: a channel opened
 * once the file exists, and how far the index has consumed it. Only the indexing thread (under
 * {@link LogIndex}'s write lock) uses it; readers open their own channels.
 */
final class RawLog implements Closeable {
    private final LogLine.Stream stream;
    private final Path path;
    private FileChannel channel;
    private long indexed;

    RawLog(LogLine.Stream stream, Path path) {
        this.stream = stream;
        this.path = path;
    }

    LogLine.Stream stream() {
        return stream;
    }

    Path path() {
        return path;
    }

    /** The first byte not yet covered by an index record. */
    long indexed() {
        return indexed;
    }

    void indexedTo(long position) {
        indexed = position;
    }

    /** The file's current size, 0 while the job has not created it. */
    long size() throws IOException {
        FileChannel open = channel();
        return open == null ? 0 : open.size();
    }

    /** Reads from {@code position} until {@code into} is full or the file ends; returns the count. */
    int read(long position, ByteBuffer into) throws IOException {
        FileChannel open = channel();
        return open == null ? 0 : readFully(open, position, into);
    }

    static int readFully(FileChannel channel, long position, ByteBuffer into) throws IOException {
        int total = 0;
        while (into.hasRemaining()) {
            int read = channel.read(into, position + total);
            if (read < 0) {
                break;
            }
            total += read;
        }
        return total;
    }

    private FileChannel channel() throws IOException {
        // Checking first spares an exception on every poll of a job that has not written yet.
        if (channel == null && Files.exists(path)) {
            try {
                channel = FileChannel.open(path, StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                return null;
            }
        }
        return channel;
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
        }
    }
}
