package dev.trainyard.server.telemetry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.trainyard.server.telemetry.MetricSeriesStore.Series;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Measures the metric store on this machine: append throughput with API-sized batches (1,000
 * points over 10 names) from one and from four threads, the latency of reading a 1M-point series
 * downsampled to 1,000 points (in time order, and appended out of order), and what parsing such a
 * batch from JSON with a plain Jackson mapper costs. Not a test (surefire does not pick up the
 * name); run it with the test classpath: {@code java -cp ...
 * dev.trainyard.server.telemetry.MetricSeriesBench [dir]}.
 */
final class MetricSeriesBench {
    private static final Instant START = Instant.parse("2026-11-23T05:00:00Z");
    private static final int BATCH = 1_000;
    private static final int NAMES = 10;
    private static final int SERIES_POINTS = 1_000_000;

    private MetricSeriesBench() {}

    public static void main(String[] args) throws Exception {
        Path root = Files.createTempDirectory(args.length > 0 ? Path.of(args[0]) : Path.of("/tmp"), "metric-bench-");
        try (MetricSeriesStore store = new MetricSeriesStore(Clock.systemUTC())) {
            List<List<MetricPoint>> batches = batches(200);
            appendThroughput(store, root, batches, 1, false);
            appendThroughput(store, root, batches, 4, false);
            appendThroughput(store, root, batches, 4, true);
            downsampledReads(store, root.resolve("ordered"), false);
            downsampledReads(store, root.resolve("shuffled"), true);
            jsonParsing(store, root.resolve("json"));
        } finally {
            delete(root);
        }
    }

    /** {@code threads} threads append 2M points in all, to one job or to a job each. */
    private static void appendThroughput(
            MetricSeriesStore store, Path root, List<List<MetricPoint>> batches, int threads, boolean jobEach)
            throws Exception {
        int batchesPerThread = 2_000 / threads;
        for (int round = 0; round < 3; round++) { // the first rounds warm up
            Path dir = Files.createDirectories(root.resolve("append-" + threads + "-" + jobEach + "-" + round));
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            long start = System.nanoTime();
            try {
                CompletableFuture.allOf(IntStream.range(0, threads)
                                .mapToObj(thread -> CompletableFuture.runAsync(
                                        () -> appendAll(store, jobDir(dir, jobEach, thread), batches, batchesPerThread),
                                        pool))
                                .toArray(CompletableFuture[]::new))
                        .get(10, TimeUnit.MINUTES);
            } finally {
                pool.shutdown();
            }
            long nanos = System.nanoTime() - start;
            if (round == 2) {
                long points = (long) threads * batchesPerThread * BATCH;
                System.out.printf(
                        Locale.ROOT,
                        "append, %d thread(s), %s: %,d points in %.0f ms: %,.0f points/s (%.1f us per batch)%n",
                        threads,
                        jobEach ? "a job each" : "one job",
                        points,
                        nanos / 1e6,
                        points / (nanos / 1e9),
                        nanos / 1e3 / (threads * batchesPerThread));
            }
        }
    }

    private static Path jobDir(Path dir, boolean jobEach, int thread) {
        try {
            return Files.createDirectories(dir.resolve(jobEach ? "job-" + thread : "job"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void appendAll(MetricSeriesStore store, Path job, List<List<MetricPoint>> batches, int count) {
        try {
            for (int i = 0; i < count; i++) {
                store.append(job, batches.get(i % batches.size()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Batches of {@link #BATCH} points, each a step of {@link #NAMES} metrics. */
    private static List<List<MetricPoint>> batches(int count) {
        List<List<MetricPoint>> batches = new ArrayList<>(count);
        long step = 0;
        for (int b = 0; b < count; b++) {
            List<MetricPoint> batch = new ArrayList<>(BATCH);
            while (batch.size() < BATCH) {
                for (int n = 0; n < NAMES; n++) {
                    batch.add(new MetricPoint("metric_" + n, Math.sin(step / 100.0) + n, step, at(step)));
                }
                step++;
            }
            batches.add(batch);
        }
        return batches;
    }

    /**
     * A 1M-point sine with one spike each way, read downsampled to 1,000 points 20 times after a
     * warm-up. {@code shuffled}: neighbours swapped in every pair, so each read has to sort.
     */
    private static void downsampledReads(MetricSeriesStore store, Path job, boolean shuffled) throws IOException {
        Files.createDirectories(job);
        for (int first = 0; first < SERIES_POINTS; first += 10_000) {
            List<MetricPoint> batch = new ArrayList<>(10_000);
            for (int i = first; i < first + 10_000; i++) {
                int step = shuffled ? i ^ 1 : i;
                double value = step == 123_457 ? 50 : step == 876_543 ? -50 : Math.sin(step / 1_000.0);
                batch.add(new MetricPoint("loss", value, (long) step, at(step)));
            }
            store.append(job, batch);
        }
        long start = System.nanoTime();
        Series first = store.read(job, "loss", null, 1_000);
        double firstMillis = (System.nanoTime() - start) / 1e6;
        for (int i = 0; i < 10; i++) {
            store.read(job, "loss", null, 1_000);
        }
        long[] nanos = new long[20];
        for (int i = 0; i < nanos.length; i++) {
            start = System.nanoTime();
            store.read(job, "loss", null, 1_000);
            nanos[i] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        long[] recentNanos = new long[20];
        Series recent = null;
        for (int i = 0; i < recentNanos.length; i++) {
            start = System.nanoTime();
            recent = store.read(job, "loss", at(SERIES_POINTS - 100_000), 1_000);
            recentNanos[i] = System.nanoTime() - start;
        }
        Arrays.sort(recentNanos);
        System.out.printf(
                Locale.ROOT,
                "read 1M %s points downsampled to %d: first read in this JVM %.1f ms, then over %d reads p50 %.1f"
                        + " ms, max %.1f ms; since the last 100k: p50 %.1f ms, max %.1f ms%n",
                shuffled ? "out-of-order" : "in-order",
                first.points().size(),
                firstMillis,
                nanos.length,
                nanos[nanos.length / 2] / 1e6,
                nanos[nanos.length - 1] / 1e6,
                recentNanos[recentNanos.length / 2] / 1e6,
                recentNanos[recentNanos.length - 1] / 1e6);
        check(first, recent);
    }

    private static void check(Series all, Series recent) {
        boolean spikes = all.points().stream().anyMatch(p -> p.value() == 50)
                && all.points().stream().anyMatch(p -> p.value() == -50);
        if (!spikes || all.points().size() > 1_000 || recent.totalPoints() != 100_000) {
            throw new IllegalStateException("unexpected result: " + all.points().size() + " points");
        }
    }

    /** Parses a 1,000-point JSON batch into points with a plain mapper, then parses and appends. */
    private static void jsonParsing(MetricSeriesStore store, Path job) throws IOException {
        Files.createDirectories(job);
        ObjectMapper mapper = new ObjectMapper().registerModule(new JavaTimeModule());
        byte[] json = json().getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 5_000; i++) {
            mapper.readValue(json, MetricPoint[].class);
        }
        int count = 5_000;
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            mapper.readValue(json, MetricPoint[].class);
        }
        double parseNanos = (System.nanoTime() - start) / (double) count;
        double textNanos = timeTextParsing(mapper, json, count);
        start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            store.append(job, List.of(mapper.readValue(json, MetricPoint[].class)));
        }
        double bothNanos = (System.nanoTime() - start) / (double) count;
        System.out.printf(
                Locale.ROOT,
                "JSON batch of %d points (%,d bytes): parse %.0f us (%,.0f points/s; %.0f%% of one core at 200k"
                        + " points/s), of which times as text only %.0f us; parse + append %.0f us (%,.0f points/s)%n",
                BATCH,
                json.length,
                parseNanos / 1e3,
                BATCH / (parseNanos / 1e9),
                100 * parseNanos * 200 / 1e9,
                textNanos / 1e3,
                bothNanos / 1e3,
                BATCH / (bothNanos / 1e9));
    }

    /** The same parse with times left as text: how much of it is the Instant deserializer? */
    private static double timeTextParsing(ObjectMapper mapper, byte[] json, int count) throws IOException {
        for (int i = 0; i < count; i++) {
            mapper.readValue(json, TextPoint[].class);
        }
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            mapper.readValue(json, TextPoint[].class);
        }
        return (System.nanoTime() - start) / (double) count;
    }

    private record TextPoint(String name, double value, Long step, String time) {}

    private static String json() {
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < BATCH; i++) {
            json.append(i == 0 ? "" : ",")
                    .append("{\"name\":\"loss\",\"value\":")
                    .append(0.31 + i / 7.0)
                    .append(",\"step\":")
                    .append(40 + i)
                    .append(",\"time\":\"")
                    .append(START.plusMillis(123 + i * 37L))
                    .append("\"}");
        }
        return json.append(']').toString();
    }

    private static Instant at(long millis) {
        return START.plusMillis(millis);
    }

    private static void delete(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }
}
