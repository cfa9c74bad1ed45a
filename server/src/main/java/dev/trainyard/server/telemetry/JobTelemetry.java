package dev.trainyard.server.telemetry;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trainyard.api.JobMetrics;
import dev.trainyard.api.JobProgress;
import dev.trainyard.api.JobState;
import dev.trainyard.api.ProgressUpdate;
import dev.trainyard.server.executor.GpuUse;
import dev.trainyard.server.executor.Usage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ingest path for what jobs report and what the server measures of them: progress (from the
 * API and from marker lines), metric points (the job's own and the sampled system metrics), kept
 * under {@code DATA/telemetry/<job id>/} whatever executor ran the job.
 *
 * <p>Progress is held in memory and written to {@code progress.json} at most once a second per
 * job (and when the job ends), so a job reporting every step costs no disk write each time.
 * Metric points go to {@link MetricSeriesStore}; retention removes points older than the
 * configured age once an hour.
 */
public final class JobTelemetry implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JobTelemetry.class);
    private static final String PROGRESS_FILE = "progress.json";
    private static final double NOT_DONE_MAX_PERCENT = 99.9;
    private static final double BYTES_PER_GB = 1024.0 * 1024 * 1024;

    /** System metrics the server samples for every running job (GPU ones only where it has GPUs). */
    public static final String CPU = "cpu";

    public static final String MEMORY = "memory";
    public static final String DISK = "disk";
    public static final String DISK_READ = "disk_read_bytes";
    public static final String DISK_WRITE = "disk_write_bytes";
    public static final String GPU_UTILIZATION = "gpu_utilization";
    public static final String GPU_MEMORY = "gpu_memory";

    private final Path root;
    private final Clock clock;
    private final ObjectMapper mapper;
    private final Duration retention;
    private final MetricSeriesStore metrics;
    private final Map<String, ProgressState> progress = new ConcurrentHashMap<>();
    private final Set<String> unsaved = ConcurrentHashMap.newKeySet();
    private final Map<String, CpuReading> lastCpu = new ConcurrentHashMap<>();
    /** Jobs whose folder exists (made once, not looked up for every batch). */
    private final Set<String> created = ConcurrentHashMap.newKeySet();

    private final ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("trainyard-telemetry").daemon().factory());

    /**
     * What is known of a job's progress: the fields it reported (each keeps its last value), the
     * percent they give, when it last changed, and the first report of the current run of rising
     * percents (what the ETA is estimated from).
     */
    public record ProgressState(
            Double percent,
            Long step,
            Long totalSteps,
            Integer epoch,
            Integer totalEpochs,
            String message,
            Instant updatedAt,
            Double basePercent,
            Instant baseAt) {}

    private record CpuReading(double cpuSeconds, Instant at) {}

    public JobTelemetry(Path root, Clock clock, ObjectMapper mapper, Duration retention) {
        this.root = root;
        this.clock = clock;
        this.mapper = mapper;
        this.retention = retention;
        this.metrics = new MetricSeriesStore(clock);
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the telemetry folder " + root, e);
        }
        background.scheduleWithFixedDelay(this::saveProgressQuietly, 1, 1, TimeUnit.SECONDS);
        background.scheduleWithFixedDelay(this::applyRetentionQuietly, 1, 60, TimeUnit.MINUTES);
    }

    /** The folder of a job's telemetry; {@code jobId} must be a well-formed job id. */
    public Path folder(String jobId) {
        return root.resolve(jobId);
    }

    public MetricSeriesStore metrics() {
        return metrics;
    }

    // ---- progress -------------------------------------------------------------------------------

    /** Records a progress report (already checked with {@link ProgressRules}) made at {@code at}. */
    public void reportProgress(String jobId, ProgressUpdate update, Instant at) {
        progress.compute(jobId, (id, old) -> merge(old == null ? loadProgress(id) : old, update, at));
        unsaved.add(jobId);
    }

    private static ProgressState merge(ProgressState old, ProgressUpdate update, Instant at) {
        Long step = update.step() != null ? update.step() : old == null ? null : old.step();
        Long totalSteps = update.totalSteps() != null ? update.totalSteps() : old == null ? null : old.totalSteps();
        Integer epoch = update.epoch() != null ? update.epoch() : old == null ? null : old.epoch();
        Integer totalEpochs =
                update.totalEpochs() != null ? update.totalEpochs() : old == null ? null : old.totalEpochs();
        String message = update.message() != null ? update.message() : old == null ? null : old.message();
        Double percent;
        if (update.percent() != null) {
            percent = update.percent();
        } else if (step != null && totalSteps != null && (update.step() != null || update.totalSteps() != null)) {
            percent = Math.min(100.0, 100.0 * step / totalSteps);
        } else if (epoch != null && totalEpochs != null && (update.epoch() != null || update.totalEpochs() != null)) {
            percent = Math.min(100.0, 100.0 * epoch / totalEpochs);
        } else {
            percent = old == null ? null : old.percent();
        }
        Double basePercent = old == null ? null : old.basePercent();
        Instant baseAt = old == null ? null : old.baseAt();
        if (percent != null && (basePercent == null || percent < (old.percent() == null ? 0 : old.percent()))) {
            // The first percent, or it went back (a restarted run): estimate from here on.
            basePercent = percent;
            baseAt = at;
        }
        return new ProgressState(percent, step, totalSteps, epoch, totalEpochs, message, at, basePercent, baseAt);
    }

    /** The job's progress as the API shows it, for a job now in {@code state}. */
    public JobProgress progressView(String jobId, JobState state) {
        ProgressState known = progressOf(jobId).orElse(null);
        Instant now = clock.instant();
        if (known == null) {
            return new JobProgress(
                    jobId,
                    state,
                    state == JobState.COMPLETED ? 100.0 : null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    state == JobState.COMPLETED ? 0L : null,
                    null);
        }
        return new JobProgress(
                jobId,
                state,
                percentFor(known.percent(), state),
                known.step(),
                known.totalSteps(),
                known.epoch(),
                known.totalEpochs(),
                known.message(),
                eta(known, state, now),
                known.updatedAt());
    }

    /** The percent job summaries show: null while nothing was reported, 100 only once COMPLETED. */
    public Double percent(String jobId, JobState state) {
        if (state == JobState.COMPLETED) {
            return 100.0;
        }
        return progressOf(jobId)
                .map(known -> percentFor(known.percent(), state))
                .orElse(null);
    }

    private static Double percentFor(Double reported, JobState state) {
        if (state == JobState.COMPLETED) {
            return 100.0;
        }
        return reported == null ? null : Math.min(reported, NOT_DONE_MAX_PERCENT);
    }

    private static Long eta(ProgressState known, JobState state, Instant now) {
        if (state == JobState.COMPLETED) {
            return 0L;
        }
        if (state.isTerminal()
                || known.percent() == null
                || known.baseAt() == null
                || known.percent() <= known.basePercent()) {
            return null;
        }
        double elapsed = Duration.between(known.baseAt(), known.updatedAt()).toMillis() / 1000.0;
        if (elapsed <= 0) {
            return null;
        }
        double perSecond = (known.percent() - known.basePercent()) / elapsed;
        double remaining = (100.0 - known.percent()) / perSecond
                - Duration.between(known.updatedAt(), now).toMillis() / 1000.0;
        return Math.max(0L, Math.round(remaining));
    }

    private Optional<ProgressState> progressOf(String jobId) {
        ProgressState known = progress.get(jobId);
        if (known != null) {
            return Optional.of(known);
        }
        ProgressState loaded = loadProgress(jobId);
        if (loaded != null) {
            progress.putIfAbsent(jobId, loaded);
        }
        return Optional.ofNullable(loaded);
    }

    private ProgressState loadProgress(String jobId) {
        Path file = folder(jobId).resolve(PROGRESS_FILE);
        if (!file.toFile().isFile()) {
            return null;
        }
        try {
            return mapper.readValue(file.toFile(), ProgressState.class);
        } catch (IOException e) {
            LOG.warn("cannot read the progress of job {}: {}", jobId, e.getMessage());
            return null;
        }
    }

    private synchronized void saveProgressQuietly() {
        for (String jobId : List.copyOf(unsaved)) {
            unsaved.remove(jobId);
            ProgressState state = progress.get(jobId);
            if (state == null) {
                continue;
            }
            try {
                Path folder = folder(jobId);
                Files.createDirectories(folder);
                Path temporary = folder.resolve(PROGRESS_FILE + ".tmp");
                mapper.writeValue(temporary.toFile(), state);
                Files.move(
                        temporary,
                        folder.resolve(PROGRESS_FILE),
                        StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException | RuntimeException e) {
                LOG.warn("cannot save the progress of job {}: {}", jobId, e.getMessage());
            }
        }
    }

    // ---- metrics --------------------------------------------------------------------------------

    /** Appends points (names and values already checked); points without a time get now. */
    public void appendMetrics(String jobId, List<MetricPoint> points) throws IOException {
        if (!points.isEmpty()) {
            Path folder = folder(jobId);
            if (created.add(jobId)) {
                Files.createDirectories(folder);
            }
            metrics.append(folder, points);
        }
    }

    /** The names of the job's metric series, sorted. */
    public List<String> metricNames(String jobId) throws IOException {
        return metrics.names(folder(jobId));
    }

    /** The latest figures job summaries show. */
    public JobMetrics summaryMetrics(String jobId) {
        try {
            Path folder = folder(jobId);
            Double gpu = metrics.latest(folder, GPU_UTILIZATION)
                    .map(MetricPoint::value)
                    .orElse(null);
            Double memory = metrics.latest(folder, MEMORY)
                    .map(point -> Math.round(point.value() / BYTES_PER_GB * 100) / 100.0)
                    .orElse(null);
            return new JobMetrics(gpu, memory);
        } catch (IOException e) {
            return new JobMetrics(null, null);
        }
    }

    // ---- what the server measures -----------------------------------------------------------

    /**
     * Records one sample of a running job's resources: cpu (percent of one core, from the CPU time
     * used since the previous sample), memory, disk, storage reads and writes, and for each GPU of
     * the job found in {@code gpus}, utilization (averaged) and memory (summed).
     */
    public void recordUsage(String jobId, Usage usage, List<Integer> jobGpus, Map<Integer, GpuUse> gpus, Instant at) {
        List<MetricPoint> points = new ArrayList<>();
        if (usage.cpuSeconds() >= 0) {
            CpuReading previous = lastCpu.put(jobId, new CpuReading(usage.cpuSeconds(), at));
            if (previous != null && at.isAfter(previous.at())) {
                double seconds = Duration.between(previous.at(), at).toNanos() / 1e9;
                double used = Math.max(0, usage.cpuSeconds() - previous.cpuSeconds());
                points.add(point(CPU, Math.round(1000 * used / seconds) / 10.0, at));
            }
        }
        points.add(point(MEMORY, usage.residentBytes(), at));
        points.add(point(DISK, usage.diskBytes(), at));
        if (usage.readBytes() >= 0) {
            points.add(point(DISK_READ, usage.readBytes(), at));
        }
        if (usage.writeBytes() >= 0) {
            points.add(point(DISK_WRITE, usage.writeBytes(), at));
        }
        List<GpuUse> mine = jobGpus.stream()
                .map(gpus::get)
                .filter(reading -> reading != null)
                .toList();
        if (!mine.isEmpty()) {
            points.add(point(
                    GPU_UTILIZATION,
                    mine.stream()
                            .mapToDouble(GpuUse::utilizationPercent)
                            .average()
                            .orElse(0),
                    at));
            points.add(point(
                    GPU_MEMORY, mine.stream().mapToLong(GpuUse::memoryUsedBytes).sum(), at));
        }
        try {
            appendMetrics(jobId, points);
        } catch (IOException e) {
            LOG.warn("cannot record the system metrics of job {}: {}", jobId, e.getMessage());
        }
    }

    private static MetricPoint point(String name, double value, Instant at) {
        return new MetricPoint(name, value, null, at);
    }

    // ---- marker lines ---------------------------------------------------------------------------

    /** Reads the markers among a batch of a job's newly indexed log lines (stdout only). */
    public void onLogLines(String jobId, List<LogLine> lines) {
        List<MetricPoint> points = null;
        for (LogLine line : lines) {
            if (line.stream() != LogLine.Stream.STDOUT || !line.text().startsWith(Markers.PREFIX)) {
                continue;
            }
            Optional<Markers.Marker> marker = Markers.parse(line.text());
            if (marker.isEmpty()) {
                continue;
            }
            switch (marker.get()) {
                case Markers.Progress progressMarker -> reportProgress(jobId, progressMarker.update(), line.time());
                case Markers.Metrics metricMarker -> {
                    if (points == null) {
                        points = new ArrayList<>();
                    }
                    for (MetricPoint point : metricMarker.points()) {
                        points.add(
                                point.time() != null
                                        ? point
                                        : new MetricPoint(point.name(), point.value(), point.step(), line.time()));
                    }
                }
            }
        }
        if (points != null) {
            try {
                appendMetrics(jobId, points);
            } catch (IOException | IllegalArgumentException e) {
                LOG.warn("cannot record the metric markers of job {}: {}", jobId, e.getMessage());
            }
        }
    }

    /** The job ended: its progress is saved now, and its CPU baseline dropped. */
    public void jobEnded(String jobId) {
        lastCpu.remove(jobId);
        created.remove(jobId);
        if (unsaved.contains(jobId)) {
            saveProgressQuietly();
        }
    }

    // ---- retention ------------------------------------------------------------------------------

    /** Removes metric points older than the retention from every job; returns how many. */
    public long applyRetention() throws IOException {
        Instant cutoff = clock.instant().minus(retention);
        long removed = 0;
        try (DirectoryStream<Path> jobs = Files.newDirectoryStream(root, Files::isDirectory)) {
            for (Path job : jobs) {
                removed += metrics.deleteOlderThan(job, cutoff);
            }
        }
        return removed;
    }

    private void applyRetentionQuietly() {
        try {
            long removed = applyRetention();
            if (removed > 0) {
                LOG.info("metric retention removed {} points older than {}", removed, retention);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("metric retention failed: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        background.shutdownNow();
        saveProgressQuietly();
        try {
            metrics.close();
        } catch (IOException e) {
            LOG.warn("closing the metric store failed: {}", e.getMessage());
        }
    }
}
