package dev.trainyard.server.telemetry;

import java.nio.ByteBuffer;
import java.time.Instant;

/**
 * One line's entry in {@code log.index}: {@link #SIZE} bytes, big-endian, so line N lives at byte
 * {@code N * SIZE} and a page of lines is a single positional read.
 *
 * <p>Layout: flags (1 byte: the stream, plus whether the line ended with a '\n' — a line split for
 * length or a final partial line did not, and resuming after a crash must know whether to skip a
 * terminator), byte offset of the line in its raw file (8), length in bytes without the '\n' (4),
 * time the server saw it in epoch millis (8).
 */
record IndexRecord(LogLine.Stream stream, long offset, int length, boolean terminated, long time) {
    static final int SIZE = 1 + Long.BYTES + Integer.BYTES + Long.BYTES;

    // Stream values start at 1 so that a zero-filled tail (a file extended but not written before
    // a power loss) never decodes as a record.
    private static final byte STDOUT = 1;
    private static final byte STDERR = 2;
    private static final byte STREAM_MASK = 3;
    private static final byte TERMINATED = 4;

    /** The byte after this line and its terminator: where indexing of its stream resumes. */
    long end() {
        return offset + length + (terminated ? 1 : 0);
    }

    Instant instant() {
        return Instant.ofEpochMilli(time);
    }

    static void put(ByteBuffer buffer, LogLine.Stream stream, long offset, int length, boolean terminated, long time) {
        byte flags = stream == LogLine.Stream.STDOUT ? STDOUT : STDERR;
        buffer.put(terminated ? (byte) (flags | TERMINATED) : flags);
        buffer.putLong(offset);
        buffer.putInt(length);
        buffer.putLong(time);
    }

    /** Reads the record at the buffer's position, or null if its flags are not a known record's. */
    static IndexRecord get(ByteBuffer buffer) {
        byte flags = buffer.get();
        long offset = buffer.getLong();
        int length = buffer.getInt();
        long time = buffer.getLong();
        LogLine.Stream stream = switch (flags & STREAM_MASK) {
            case STDOUT -> LogLine.Stream.STDOUT;
            case STDERR -> LogLine.Stream.STDERR;
            default -> null;
        };
        if (stream == null || (flags & ~(STREAM_MASK | TERMINATED)) != 0) {
            return null;
        }
        return new IndexRecord(stream, offset, length, (flags & TERMINATED) != 0, time);
    }
}
