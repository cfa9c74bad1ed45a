package dev.trainyard.server.telemetry;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Copies the points of a series that retention keeps into a new file, in append order. */
final class SeriesRetention {
    private static final int RECORDS_PER_READ = 8192;

    private SeriesRetention() {}

    /**
     * Writes the first {@code count} records of {@code source} measured at or after {@code
     * fromMillis} to {@code target} (replacing it) and forces them to disk, so that a crash after
     * the target is renamed over the series cannot leave less than either version. Returns how
     * many it kept; when that is all of them, it writes no target: a periodic retention pass over
     * every job then costs one read of each series, not a rewrite.
     */
    static long copy(FileChannel source, long count, Path target, long fromMillis) throws IOException {
        ByteBuffer in = ByteBuffer.allocate(RECORDS_PER_READ * MetricRecord.SIZE);
        if (!anyBefore(source, count, fromMillis, in)) {
            return count;
        }
        ByteBuffer out = ByteBuffer.allocate(RECORDS_PER_READ * MetricRecord.SIZE);
        long kept = 0;
        try (FileChannel channel = FileChannel.open(
                target, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            for (long first = 0; first < count; first += RECORDS_PER_READ) {
                int batch = readBatch(source, first, count, in);
                kept += keep(in, batch, fromMillis, out.clear());
                writeFully(channel, out.flip());
            }
            channel.force(true);
        }
        return kept;
    }

    private static boolean anyBefore(FileChannel source, long count, long fromMillis, ByteBuffer in)
            throws IOException {
        for (long first = 0; first < count; first += RECORDS_PER_READ) {
            int batch = readBatch(source, first, count, in);
            for (int i = 0; i < batch; i++) {
                if (MetricRecord.time(in, i) < fromMillis) {
                    return true;
                }
            }
        }
        return false;
    }

    private static int readBatch(FileChannel source, long first, long count, ByteBuffer in) throws IOException {
        int batch = (int) Math.min(RECORDS_PER_READ, count - first);
        in.clear().limit(batch * MetricRecord.SIZE);
        if (RawLog.readFully(source, first * MetricRecord.SIZE, in) < in.limit()) {
            throw new IOException("a metric series is shorter than its point count");
        }
        return batch;
    }

    private static int keep(ByteBuffer in, int batch, long fromMillis, ByteBuffer out) {
        int kept = 0;
        for (int i = 0; i < batch; i++) {
            if (MetricRecord.time(in, i) >= fromMillis) {
                out.put(in.slice(i * MetricRecord.SIZE, MetricRecord.SIZE));
                kept++;
            }
        }
        return kept;
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }
}
