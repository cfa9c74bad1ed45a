package dev.trainyard.server.telemetry;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The metric points of jobs, one append-only file per job and metric name: {@code
 * <jobDir>/metrics/<name>.bin}, a fixed-size record per point in append order (see {@link
 * MetricRecord}), so that appending is one write per series and batch, and reading a million
 * points is a scan of a 24 MB file.
 *
 * <p>Writes are not forced to disk: a crash may lose the last moments of points, but never what
 * came before, because a torn or zero-filled last record is dropped when the file is next opened
 * (and a reader never counts a partial record).
 *
 * <p>Thread-safe. Batches for the same series never interleave; channels of recently used series
 * stay open (at most 256 by default, the least recently used closed first). Pass
 * each job folder the same way every time (the store normalizes it, but does not resolve links):
 * two spellings of one folder would be two writers of one file. Names must match {@link
 * #isValidName}, which also keeps them safe as file names; the file system must be case-sensitive.
 *
 * <p>Points are numbered by index in append order (what followers use to read new points); reads
 * of a time range return them in time order instead.
 */
public final class MetricSeriesStore implements Closeable {
    /** The channels kept open by default: about 10 series for each of 25 busy jobs. */
    static final int OPEN_FILES = 256;

    static final String FOLDER = "metrics";
    static final String SUFFIX = ".bin";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,100}");

    private final Clock clock;
    private final SeriesFiles files;
    private final SeriesWaiters waiters = new SeriesWaiters();

    /** A store that stamps points without a time with {@code clock}. */
    public MetricSeriesStore(Clock clock) {
        this(clock, OPEN_FILES);
    }

    MetricSeriesStore(Clock clock, int openFiles) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.files = new SeriesFiles(openFiles);
    }

    /**
     * A series read for a chart.
     *
     * @param name the metric name
     * @param points the points in time order: all of them, or a downsampled selection
     * @param totalPoints how many points the series has in the time range read, before downsampling
     * @param downsampled whether {@code points} is a selection rather than all of them
     */
    public record Series(String name, List<MetricPoint> points, long totalPoints, boolean downsampled) {}

    /**
     * Whether {@code name} may name a metric: 1 to 100 letters, digits, '_', '.', ':' or '-', and
     * not only dots (harmless here, but never a real metric and a classic path probe).
     */
    public static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches() && !name.chars().allMatch(c -> c == '.');
    }

    /**
     * Appends a batch, which may mix names: points of one name keep their order within the batch.
     * Points without a time get the clock's. Nothing is written if any name is invalid or any time
     * cannot be stored as epoch milliseconds; the batch is not atomic across series if a write
     * fails. Creates the job's {@code metrics} folder, not the job folder itself.
     */
    public void append(Path jobDir, List<MetricPoint> points) throws IOException {
        for (Map.Entry<String, ByteBuffer> series : encode(points).entrySet()) {
            Path file = file(jobDir, series.getKey());
            SeriesFile open = files.locked(file, true);
            try {
                open.append(series.getValue().flip());
            } finally {
                open.lock.unlock();
            }
            waiters.changed(file);
        }
    }

    /** The names of the job's series, sorted. */
    public List<String> names(Path jobDir) throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder(jobDir), "*" + SUFFIX)) {
            for (Path entry : entries) {
                String file = entry.getFileName().toString();
                String name = file.substring(0, file.length() - SUFFIX.length());
                if (isValidName(name)) {
                    names.add(name);
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        }
        names.sort(null);
        return names;
    }

    /**
     * The points measured at or after {@code since} (null: all), in time order, ties in append
     * order. If there are more than {@code maxPoints} (at least 2), they are downsampled to at most
     * that many, keeping the lowest and highest point of each of {@code maxPoints / 2} equal-count
     * buckets, so spikes and the range's minimum and maximum always show. The result is built in
     * memory, so callers bound {@code maxPoints}. Series of more than 89 million points (2 GB)
     * cannot be read this way.
     */
    public Series read(Path jobDir, String name, Instant since, int maxPoints) throws IOException {
        if (maxPoints < 2) {
            throw new IllegalArgumentException("maxPoints must be at least 2 to keep a minimum and a maximum");
        }
        Path file = file(jobDir, name);
        SeriesView view = SeriesView.map(file, name, count(file));
        SeriesView.TimeOrder order = view.select(since == null ? Long.MIN_VALUE : MetricRecord.ceilMillis(since));
        return new Series(name, Downsampling.points(view, order, maxPoints), order.size(), order.size() > maxPoints);
    }

    /** The last point appended to the series, if any (normally also the latest measured). */
    public Optional<MetricPoint> latest(Path jobDir, String name) throws IOException {
        Path file = file(jobDir, name);
        long count = count(file);
        return count == 0
                ? Optional.empty()
                : readPage(file, name, count - 1, 1, count).stream().findFirst();
    }

    /** How many points the series has; indexes below it can be read with {@link #readFrom}. */
    public long count(Path jobDir, String name) throws IOException {
        return count(file(jobDir, name));
    }

    /**
     * Points {@code fromIndex} to {@code fromIndex + limit - 1} in append order, fewer where the
     * series ends sooner: how a follower reads what arrived since it last looked. The page is read
     * into memory, so callers bound {@code limit}.
     */
    public List<MetricPoint> readFrom(Path jobDir, String name, long fromIndex, int limit) throws IOException {
        if (fromIndex < 0 || limit < 0) {
            throw new IllegalArgumentException("fromIndex and limit must not be negative");
        }
        Path file = file(jobDir, name);
        return readPage(file, name, fromIndex, limit, count(file));
    }

    /**
     * Waits until the series has more than {@code afterCount} points, for at most {@code timeout};
     * returns false if it timed out. A follower that has read {@code n} points waits with {@code
     * awaitPoints(jobDir, name, n, ...)}; the series need not exist yet. Retention renumbers a
     * series, so a follower should start over after {@link #deleteOlderThan} removed points.
     */
    public boolean awaitPoints(Path jobDir, String name, long afterCount, Duration timeout)
            throws IOException, InterruptedException {
        Path file = file(jobDir, name);
        return waiters.await(file, () -> count(file) > afterCount, timeout);
    }

    /**
     * Removes the job's points measured before {@code cutoff}: each series that has any is rewritten
     * to a temporary file, forced to disk and renamed over the old one (a crash leaves either
     * version whole), or deleted if nothing is left. Appends to a series wait while it is
     * rewritten. Returns how many points were removed. How long to keep points is the caller's
     * choice.
     */
    public long deleteOlderThan(Path jobDir, Instant cutoff) throws IOException {
        long fromMillis = MetricRecord.ceilMillis(cutoff);
        long removed = 0;
        for (String name : names(jobDir)) {
            Path file = file(jobDir, name);
            SeriesFile open = files.locked(file, false);
            if (open == null) {
                continue; // deleted meanwhile
            }
            try {
                removed += open.count() - open.retain(fromMillis);
            } finally {
                open.lock.unlock();
            }
            waiters.changed(file);
        }
        return removed;
    }

    /** Closes the open channels, after appends under way; the store cannot be used afterwards. */
    @Override
    public void close() throws IOException {
        files.close();
    }

    /** How many series files have open channels; for tests. */
    int openFiles() {
        return files.openCount();
    }

    /** How many threads wait in {@link #awaitPoints} on the series; for tests. */
    int waiting(Path jobDir, String name) {
        return waiters.waiting(file(jobDir, name));
    }

    private long count(Path file) throws IOException {
        SeriesFile open = files.get(file, false);
        return open == null ? 0 : open.count();
    }

    private Map<String, ByteBuffer> encode(List<MetricPoint> points) {
        Map<String, Integer> counts = new HashMap<>();
        for (MetricPoint point : points) {
            counts.merge(point.name(), 1, Integer::sum);
        }
        Map<String, ByteBuffer> buffers = new HashMap<>();
        counts.forEach((name, count) -> {
            requireValidName(name);
            buffers.put(name, ByteBuffer.allocate(count * MetricRecord.SIZE));
        });
        long now = clock.millis();
        for (MetricPoint point : points) {
            long time = point.time() == null ? now : millis(point.time());
            MetricRecord.put(buffers.get(point.name()), time, point.step(), point.value());
        }
        return buffers;
    }

    private static long millis(Instant time) {
        try {
            return time.toEpochMilli();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("a metric point's time is out of range: " + time, e);
        }
    }

    private static List<MetricPoint> readPage(Path file, String name, long fromIndex, int limit, long count)
            throws IOException {
        int wanted = (int) Math.max(0, Math.min(Math.min(limit, SeriesView.MAX_POINTS), count - fromIndex));
        if (wanted == 0) {
            return List.of();
        }
        ByteBuffer records = ByteBuffer.allocate(wanted * MetricRecord.SIZE);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            // Fewer than asked if retention replaced the file since the count was taken.
            RawLog.readFully(channel, fromIndex * MetricRecord.SIZE, records);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        List<MetricPoint> points = new ArrayList<>(records.position() / MetricRecord.SIZE);
        for (int i = 0; i < records.position() / MetricRecord.SIZE; i++) {
            points.add(MetricRecord.point(name, records, i));
        }
        return points;
    }

    private static Path folder(Path jobDir) {
        return jobDir.toAbsolutePath().normalize().resolve(FOLDER);
    }

    private static Path file(Path jobDir, String name) {
        requireValidName(name);
        return folder(jobDir).resolve(name + SUFFIX);
    }

    private static void requireValidName(String name) {
        if (!isValidName(name)) {
            throw new IllegalArgumentException("not a valid metric name: " + name);
        }
    }
}
