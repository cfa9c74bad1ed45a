package dev.trainyard.server.telemetry;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * The first points of a series file, mapped read-only: a whole-series read touches each record once
 * without copying the file (1M points are 24 MB). The mapping reads the file as it was opened, so a
 * retention pass that replaces the file meanwhile does not disturb it.
 */
final class SeriesView {
    /** The most points one view can map: a mapped buffer is indexed by int. */
    static final int MAX_POINTS = Integer.MAX_VALUE / MetricRecord.SIZE;

    private final String name;
    private final ByteBuffer records;
    private final int count;

    private SeriesView(String name, ByteBuffer records, int count) {
        this.name = name;
        this.records = records;
        this.count = count;
    }

    /** Maps at most the first {@code count} points of {@code file}; a missing file has none. */
    static SeriesView map(Path file, String name, long count) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            // The file may have been replaced by a shorter one since the count was taken.
            long available = Math.min(count, channel.size() / MetricRecord.SIZE);
            if (available > MAX_POINTS) {
                throw new IOException("metric series " + file + " has too many points to read at once");
            }
            ByteBuffer records = available == 0
                    ? ByteBuffer.allocate(0)
                    : channel.map(FileChannel.MapMode.READ_ONLY, 0, available * MetricRecord.SIZE);
            return new SeriesView(name, records, (int) available);
        } catch (NoSuchFileException e) {
            return new SeriesView(name, ByteBuffer.allocate(0), 0);
        }
    }

    int count() {
        return count;
    }

    double value(int index) {
        return MetricRecord.value(records, index);
    }

    MetricPoint point(int index) {
        return MetricRecord.point(name, records, index);
    }

    /** The points measured at or after {@code sinceMillis}, in time order (ties: append order). */
    TimeOrder select(long sinceMillis) {
        // One pass finds out both how many points qualify and whether the file is already in time
        // order, which is the usual case and needs no sorting: the points then form its tail.
        boolean ordered = true;
        int selected = 0;
        long previous = Long.MIN_VALUE;
        for (int i = 0; i < count; i++) {
            long time = MetricRecord.time(records, i);
            ordered &= time >= previous;
            previous = time;
            selected += time >= sinceMillis ? 1 : 0;
        }
        return ordered ? TimeOrder.range(count - selected, selected) : TimeOrder.of(sorted(sinceMillis, selected));
    }

    private int[] sorted(long sinceMillis, int selected) {
        int[] positions = new int[selected];
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int i = 0, next = 0; i < count; i++) {
            long time = MetricRecord.time(records, i);
            if (time >= sinceMillis) {
                positions[next++] = i;
                min = Math.min(min, time);
                max = Math.max(max, time);
            }
        }
        int bits = 64 - Long.numberOfLeadingZeros(Math.max(1, count - 1));
        boolean packable = Long.compareUnsigned(max - min, (1L << (63 - bits)) - 1) <= 0;
        return packable ? sortPacked(positions, min, bits) : sortBoxed(positions);
    }

    /**
     * Sorts by (time, position) packed into one long each: a primitive sort of contiguous longs is
     * several times faster than sorting indexes with a comparator, and the position in the low bits
     * keeps ties in append order.
     */
    private int[] sortPacked(int[] positions, long minTime, int bits) {
        long[] keys = new long[positions.length];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = (MetricRecord.time(records, positions[i]) - minTime) << bits | positions[i];
        }
        Arrays.sort(keys);
        long mask = (1L << bits) - 1;
        for (int i = 0; i < keys.length; i++) {
            positions[i] = (int) (keys[i] & mask);
        }
        return positions;
    }

    /** For times too far apart to pack (centuries, with many points): a stable comparator sort. */
    private int[] sortBoxed(int[] positions) {
        return Arrays.stream(positions)
                .boxed()
                .sorted(Comparator.comparingLong(position -> MetricRecord.time(records, position)))
                .mapToInt(Integer::intValue)
                .toArray();
    }

    /** Positions of points in time order: a plain range when the file is ordered. */
    static final class TimeOrder {
        private final int start;
        private final int size;
        private final int[] positions;

        private TimeOrder(int start, int size, int[] positions) {
            this.start = start;
            this.size = size;
            this.positions = positions;
        }

        static TimeOrder range(int start, int size) {
            return new TimeOrder(start, size, null);
        }

        static TimeOrder of(int[] positions) {
            return new TimeOrder(0, positions.length, positions);
        }

        int size() {
            return size;
        }

        /** The position in the file of the {@code i}-th point in time order. */
        int at(int i) {
            return positions == null ? start + i : positions[i];
        }

        IntStream all() {
            return IntStream.range(0, size).map(this::at);
        }
    }
}
