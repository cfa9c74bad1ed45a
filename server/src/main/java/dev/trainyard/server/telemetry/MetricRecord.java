package dev.trainyard.server.telemetry;

import java.nio.ByteBuffer;
import java.time.Instant;

/**
 * One point's record in a series file: {@link #SIZE} bytes, big-endian, so point N lives at byte
 * {@code N * SIZE} and any page of points is a single positional read.
 *
 * <p>Layout: time in epoch millis (8), step (8, {@link #NO_STEP} when the point has none), value
 * (8, an IEEE 754 double).
 */
final class MetricRecord {
    static final int SIZE = 3 * Long.BYTES;
    static final long NO_STEP = Long.MIN_VALUE;

    private static final int STEP = Long.BYTES;
    private static final int VALUE = 2 * Long.BYTES;

    private MetricRecord() {}

    static void put(ByteBuffer buffer, long time, Long step, double value) {
        buffer.putLong(time);
        buffer.putLong(step == null ? NO_STEP : step);
        buffer.putDouble(value);
    }

    static long time(ByteBuffer buffer, int index) {
        return buffer.getLong(index * SIZE);
    }

    static double value(ByteBuffer buffer, int index) {
        return buffer.getDouble(index * SIZE + VALUE);
    }

    static MetricPoint point(String name, ByteBuffer buffer, int index) {
        long step = buffer.getLong(index * SIZE + STEP);
        return new MetricPoint(
                name, value(buffer, index), step == NO_STEP ? null : step, Instant.ofEpochMilli(time(buffer, index)));
    }

    /**
     * Whether the record is all zero bytes: what the end of a file that was extended but not yet
     * written looks like after a power loss on some file systems. No real point is like it (it
     * would be a value of 0 at step 0 measured at midnight, 1 January 1970).
     */
    static boolean isZero(ByteBuffer buffer, int index) {
        return buffer.getLong(index * SIZE) == 0
                && buffer.getLong(index * SIZE + STEP) == 0
                && buffer.getLong(index * SIZE + VALUE) == 0;
    }

    /** The first millisecond at or after {@code instant}, clamped to what a record can hold. */
    static long ceilMillis(Instant instant) {
        try {
            long millis = instant.toEpochMilli();
            boolean whole = instant.getNano() % 1_000_000 == 0;
            return whole || millis == Long.MAX_VALUE ? millis : millis + 1;
        } catch (ArithmeticException e) {
            return instant.isBefore(Instant.EPOCH) ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }
}
