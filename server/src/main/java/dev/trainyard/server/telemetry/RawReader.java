package dev.trainyard.server.telemetry;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Serves the bytes of a page's lines from one raw file with few large reads: lines of one stream
 * are consecutive in its file, so a forward-moving buffer covers many at once.
 *
 * <p>Each reader opens its own channel: an interrupted reader (a follower whose client went away)
 * closes the channel it was reading, which must never be the indexer's.
 */
final class RawReader implements Closeable {
    private static final int MAX_BUFFER = 1 << 20;

    private final Path path;
    private final FileChannel channel;
    private final byte[] buffer;
    private long bufferStart;
    private int bufferLength;

    private RawReader(Path path, FileChannel channel, int capacity) {
        this.path = path;
        this.channel = channel;
        this.buffer = new byte[capacity];
    }

    /** A reader for lines spanning {@code span} bytes of {@code path}. */
    static RawReader open(Path path, long span) throws IOException {
        int capacity = (int) Math.max(1, Math.min(span, MAX_BUFFER));
        return new RawReader(path, FileChannel.open(path, StandardOpenOption.READ), capacity);
    }

    byte[] bytes() {
        return buffer;
    }

    /** Makes {@code [offset, offset + length)} available in {@link #bytes()} and returns its index. */
    int locate(long offset, int length) throws IOException {
        if (offset < bufferStart || offset + length > bufferStart + bufferLength) {
            fill(offset, length);
        }
        return (int) (offset - bufferStart);
    }

    private void fill(long offset, int length) throws IOException {
        int read = RawLog.readFully(channel, offset, ByteBuffer.wrap(buffer));
        if (read < length) {
            throw new IOException(path + " is shorter than its index says (byte " + (offset + length) + ")");
        }
        bufferStart = offset;
        bufferLength = read;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
