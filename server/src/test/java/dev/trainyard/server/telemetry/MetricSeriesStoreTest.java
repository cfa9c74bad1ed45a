package dev.trainyard.server.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.trainyard.server.telemetry.MetricSeriesStore.Series;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricSeriesStoreTest {
    private static final Instant NOW = Instant.parse("2026-11-23T05:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @TempDir
    Path job;

    private MetricSeriesStore store = new MetricSeriesStore(CLOCK);

    @AfterEach
    void closeStore() throws IOException {
        store.close();
    }

    @Test
    void readsBackWhatWasAppendedWithAndWithoutStep() throws IOException {
        List<MetricPoint> points = List.of(
                new MetricPoint("loss", 0.75, 1L, at(0)),
                new MetricPoint("loss", 0.5, null, at(1)),
                new MetricPoint("loss", -0.25, 0L, at(2)));
        store.append(job, points);

        Series series = store.read(job, "loss", null, 1_000);

        assertThat(series).isEqualTo(new Series("loss", points, 3, false));
        assertThat(job.resolve("metrics/loss.bin")).hasSize(3 * 24L);
    }

    @Test
    void keepsMillisecondsAndStampsPointsWithoutATime() throws IOException {
        store.append(
                job,
                List.of(
                        new MetricPoint("cpu", 1, null, null),
                        new MetricPoint("cpu", 2, null, NOW.plusNanos(1_234_567))));

        assertThat(store.read(job, "cpu", null, 10).points())
                .extracting(MetricPoint::time)
                .containsExactly(NOW, NOW.plusMillis(1));
    }

    @Test
    void aBatchMayMixNamesAndKeepsEachNamesOrder() throws IOException {
        store.append(job, List.of(point("loss", 3, 0), point("accuracy", 0.1, 0), point("loss", 2, 1)));
        store.append(job, List.of(point("accuracy", 0.2, 1), point("loss", 1, 2)));

        assertThat(values(store.read(job, "loss", null, 100))).containsExactly(3.0, 2.0, 1.0);
        assertThat(values(store.read(job, "accuracy", null, 100))).containsExactly(0.1, 0.2);
        assertThat(store.names(job)).containsExactly("accuracy", "loss");
    }

    @Test
    void namesAreSortedAndAJobWithoutMetricsHasNone() throws IOException {
        assertThat(store.names(job)).isEmpty();

        store.append(job, List.of(point("z", 1, 0), point("gpu_utilization:0", 1, 0), point("A.b-c", 1, 0)));

        assertThat(store.names(job)).containsExactly("A.b-c", "gpu_utilization:0", "z");
    }

    @Test
    void readsOnlyPointsAtOrAfterSince() throws IOException {
        store.append(
                job, IntStream.range(0, 10).mapToObj(i -> point("loss", i, i)).toList());

        assertThat(values(store.read(job, "loss", at(7), 100))).containsExactly(7.0, 8.0, 9.0);
        assertThat(store.read(job, "loss", at(7), 100).totalPoints()).isEqualTo(3);
        // A since between two milliseconds starts at the next one.
        assertThat(values(store.read(job, "loss", at(6).plusNanos(1), 100))).containsExactly(7.0, 8.0, 9.0);
        assertThat(store.read(job, "loss", at(10), 100).points()).isEmpty();
        assertThat(store.read(job, "loss", Instant.MIN, 100).totalPoints()).isEqualTo(10);
    }

    @Test
    void readsPointsAppendedOutOfOrderInTimeOrderWithTiesInAppendOrder() throws IOException {
        store.append(job, List.of(point("loss", 5, 5), point("loss", 3, 3), point("loss", 31, 3)));
        store.append(job, List.of(point("loss", 1, 1), point("loss", 32, 3), point("loss", 9, 9)));

        assertThat(values(store.read(job, "loss", null, 100))).containsExactly(1.0, 3.0, 31.0, 32.0, 5.0, 9.0);
        assertThat(values(store.read(job, "loss", at(3), 100))).containsExactly(3.0, 31.0, 32.0, 5.0, 9.0);
        // Indexes stay in append order.
        assertThat(values(store.readFrom(job, "loss", 0, 100))).containsExactly(5.0, 3.0, 31.0, 1.0, 32.0, 9.0);
    }

    @Test
    void sortsPointsTooFarApartInTimeToPack() throws IOException {
        Instant early = Instant.ofEpochMilli(Long.MIN_VALUE);
        Instant late = Instant.ofEpochMilli(Long.MAX_VALUE);
        store.append(
                job,
                List.of(
                        new MetricPoint("x", 1, null, late),
                        new MetricPoint("x", 2, null, early),
                        new MetricPoint("x", 3, null, late),
                        new MetricPoint("x", 4, null, NOW)));

        assertThat(values(store.read(job, "x", null, 10))).containsExactly(2.0, 4.0, 1.0, 3.0);
    }

    @Test
    void aSeriesWithFewerPointsThanTheMaximumIsReturnedWhole() throws IOException {
        store.append(
                job,
                IntStream.range(0, 1_000).mapToObj(i -> point("loss", i, i)).toList());

        Series series = store.read(job, "loss", null, 1_000);

        assertThat(series.downsampled()).isFalse();
        assertThat(series.totalPoints()).isEqualTo(1_000);
        assertThat(series.points()).hasSize(1_000);
    }

    @Test
    void downsamplingAMillionPointsKeepsBothSpikesInTimeOrder() throws IOException {
        int count = 1_000_000;
        int up = 123_457;
        int down = 876_543;
        for (int first = 0; first < count; first += 10_000) {
            List<MetricPoint> batch = new ArrayList<>(10_000);
            for (int i = first; i < first + 10_000; i++) {
                double value = i == up ? 50 : i == down ? -50 : Math.sin(i / 1_000.0);
                batch.add(new MetricPoint("loss", value, (long) i, at(i)));
            }
            store.append(job, batch);
        }

        Series series = store.read(job, "loss", null, 1_000);

        assertThat(series.downsampled()).isTrue();
        assertThat(series.totalPoints()).isEqualTo(count);
        assertThat(series.points()).hasSizeLessThanOrEqualTo(1_000).hasSizeGreaterThan(900);
        assertThat(series.points()).isSortedAccordingTo(Comparator.comparing(MetricPoint::time));
        assertThat(series.points())
                .contains(
                        new MetricPoint("loss", 50, (long) up, at(up)),
                        new MetricPoint("loss", -50, (long) down, at(down)));
        assertThat(series.points().getFirst().time()).isBefore(at(1_000));
        assertThat(series.points().getLast().time()).isAfter(at(count - 1_001));
    }

    @Test
    void downsamplingAShuffledSeriesKeepsItsExtremesAndTimeOrder() throws IOException {
        Random random = new Random(42);
        List<MetricPoint> points = new ArrayList<>(IntStream.range(0, 10_000)
                .mapToObj(i -> point("x", random.nextGaussian(), i))
                .toList());
        points.set(1_234, point("x", 100, 1_234));
        points.set(5_678, point("x", -100, 5_678));
        Collections.shuffle(points, random);
        store.append(job, points);

        Series series = store.read(job, "x", at(1_000), 101);

        assertThat(series.totalPoints()).isEqualTo(9_000);
        assertThat(series.points()).hasSizeLessThanOrEqualTo(101);
        assertThat(series.points()).isSortedAccordingTo(Comparator.comparing(MetricPoint::time));
        assertThat(values(series)).contains(100.0, -100.0);
        assertThat(series.points()).allMatch(p -> !p.time().isBefore(at(1_000)));
        assertThat(points).containsAll(series.points());
    }

    @Test
    void aFlatBucketGivesOnePoint() throws IOException {
        store.append(
                job, IntStream.range(0, 10).mapToObj(i -> point("flat", 7, i)).toList());

        assertThat(store.read(job, "flat", null, 4).points())
                .extracting(MetricPoint::time)
                .containsExactly(at(0), at(5));
    }

    @Test
    void refusesInvalidNamesAndWritesNothingOfTheirBatch() throws IOException {
        for (String name : List.of("", "a/b", "../x", "..", ".", "a b", "ü", "x".repeat(101), "a\\b")) {
            assertThatThrownBy(() -> store.append(job, List.of(point("ok", 1, 0), point(name, 1, 0))))
                    .as(name)
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.read(job, name, null, 10))
                    .as(name)
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(MetricSeriesStore.isValidName(name)).as(name).isFalse();
        }
        assertThat(store.names(job)).isEmpty();
        assertThat(MetricSeriesStore.isValidName("x".repeat(100))).isTrue();
        assertThat(MetricSeriesStore.isValidName("a..b")).isTrue();
    }

    @Test
    void refusesATimeThatDoesNotFitInEpochMillis() {
        assertThatThrownBy(() -> store.append(job, List.of(new MetricPoint("x", 1, null, Instant.MAX))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void dropsATornLastRecordOnReadAndReopen() throws IOException {
        store.append(job, List.of(point("loss", 1, 0), point("loss", 2, 1)));
        store.close();
        Path file = job.resolve("metrics/loss.bin");
        Files.write(file, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, StandardOpenOption.APPEND);

        store = new MetricSeriesStore(CLOCK);
        assertThat(store.count(job, "loss")).isEqualTo(2);
        assertThat(values(store.read(job, "loss", null, 10))).containsExactly(1.0, 2.0);
        store.append(job, List.of(point("loss", 3, 2)));

        assertThat(values(store.read(job, "loss", null, 10))).containsExactly(1.0, 2.0, 3.0);
        assertThat(file).hasSize(3 * 24L);
    }

    @Test
    void dropsAZeroFilledTailOnReopen() throws IOException {
        store.append(job, List.of(point("loss", 1, 0)));
        store.close();
        Files.write(job.resolve("metrics/loss.bin"), new byte[2 * 24 + 5], StandardOpenOption.APPEND);

        store = new MetricSeriesStore(CLOCK);

        assertThat(store.count(job, "loss")).isEqualTo(1);
        assertThat(store.latest(job, "loss")).contains(point("loss", 1, 0));
    }

    @Test
    void concurrentBatchesToOneSeriesNeverInterleave() throws Exception {
        int threads = 4;
        int batches = 200;
        int batchSize = 100;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<CompletableFuture<Void>> writers = IntStream.range(0, threads)
                    .mapToObj(thread ->
                            CompletableFuture.runAsync(() -> appendBatches(start, thread, batches, batchSize), pool))
                    .toList();
            start.countDown();
            CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }

        List<MetricPoint> points = store.readFrom(job, "loss", 0, Integer.MAX_VALUE);
        assertThat(points).hasSize(threads * batches * batchSize);
        assertThat(store.count(job, "loss")).isEqualTo(threads * batches * batchSize);
        int[] next = new int[threads];
        for (int i = 0; i < points.size(); i++) {
            // Value = thread * 1e6 + sequence: each batch is a contiguous, in-order run.
            int thread = (int) points.get(i).value() / 1_000_000;
            int sequence = (int) points.get(i).value() % 1_000_000;
            assertThat(sequence).as("point %d", i).isEqualTo(next[thread]++);
            assertThat(i % batchSize == 0 || thread == (int) points.get(i - 1).value() / 1_000_000)
                    .as("point %d", i)
                    .isTrue();
            assertThat(points.get(i).step()).isEqualTo((long) sequence);
        }
    }

    @Test
    void anInterruptedAppendFailsWithoutBreakingTheSeriesForOthers() throws IOException {
        store.append(job, List.of(point("loss", 1, 0)));

        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> store.append(job, List.of(point("loss", 2, 1))))
                    .isInstanceOf(ClosedByInterruptException.class);
        } finally {
            Thread.interrupted();
        }
        store.append(job, List.of(point("loss", 3, 2)));

        assertThat(values(store.read(job, "loss", null, 10))).startsWith(1.0).endsWith(3.0);
    }

    @Test
    void awaitPointsWakesAWaitingFollower() throws Exception {
        store.append(job, List.of(point("loss", 1, 0)));
        CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> awaitPoints("loss", 1));
        await().atMost(Duration.ofSeconds(5)).until(() -> store.waiting(job, "loss") == 1);
        assertThat(waiting).isNotDone();

        store.append(job, List.of(point("loss", 2, 1)));

        assertThat(waiting.get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(store.readFrom(job, "loss", 1, 10)).containsExactly(point("loss", 2, 1));
        assertThat(store.waiting(job, "loss")).isZero();
    }

    @Test
    void awaitPointsWaitsForASeriesNotYetCreatedAndTimesOut() throws Exception {
        assertThat(store.awaitPoints(job, "new", 0, Duration.ofMillis(20))).isFalse();
        CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> awaitPoints("new", 0));
        await().atMost(Duration.ofSeconds(5)).until(() -> store.waiting(job, "new") == 1);

        store.append(job, List.of(point("other", 1, 0)));
        assertThat(store.awaitPoints(job, "other", 0, Duration.ZERO)).isTrue();
        assertThat(waiting).isNotDone();
        store.append(job, List.of(point("new", 1, 0)));

        assertThat(waiting.get(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void readFromPagesByIndexAndLatestIsTheLastAppended() throws IOException {
        assertThat(store.latest(job, "loss")).isEmpty();
        store.append(
                job, IntStream.range(0, 5).mapToObj(i -> point("loss", i, i)).toList());

        assertThat(values(store.readFrom(job, "loss", 2, 2))).containsExactly(2.0, 3.0);
        assertThat(values(store.readFrom(job, "loss", 4, 10))).containsExactly(4.0);
        assertThat(store.readFrom(job, "loss", 5, 10)).isEmpty();
        assertThat(store.latest(job, "loss")).contains(point("loss", 4, 4));
        assertThat(store.count(job, "loss")).isEqualTo(5);
    }

    @Test
    void aMissingSeriesIsEmptyAndReadingItCreatesNothing() throws IOException {
        assertThat(store.read(job, "nope", null, 10)).isEqualTo(new Series("nope", List.of(), 0, false));
        assertThat(store.readFrom(job, "nope", 0, 10)).isEmpty();
        assertThat(store.count(job, "nope")).isZero();
        assertThat(store.latest(job, "nope")).isEmpty();
        assertThat(job.resolve("metrics")).doesNotExist();
    }

    @Test
    void aBatchForADeletedJobFolderFailsRatherThanRecreatingIt() throws IOException {
        Path gone = job.resolve("gone");

        assertThatThrownBy(() -> store.append(gone, List.of(point("loss", 1, 0))))
                .isInstanceOf(IOException.class);
        assertThat(gone).doesNotExist();
    }

    @Test
    void retentionKeepsOnlyPointsAtOrAfterTheCutoff() throws IOException {
        store.append(
                job, IntStream.range(0, 10).mapToObj(i -> point("loss", i, i)).toList());
        store.append(job, List.of(point("old", 1, 1), point("new", 1, 8)));

        assertThat(store.deleteOlderThan(job, at(6))).isEqualTo(6 + 1);

        assertThat(values(store.read(job, "loss", null, 100))).containsExactly(6.0, 7.0, 8.0, 9.0);
        assertThat(store.count(job, "loss")).isEqualTo(4);
        assertThat(store.names(job)).containsExactly("loss", "new");
        store.append(job, List.of(point("loss", 10, 10)));
        assertThat(values(store.readFrom(job, "loss", 0, 100))).containsExactly(6.0, 7.0, 8.0, 9.0, 10.0);
        assertThat(store.deleteOlderThan(job, at(6))).isZero();
        try (var files = Files.list(job.resolve("metrics"))) {
            assertThat(files.map(file -> file.getFileName().toString()))
                    .containsExactlyInAnyOrder("loss.bin", "new.bin");
        }
    }

    @Test
    void evictsTheLeastRecentlyUsedChannelsAndReopensThemWhenNeeded() throws IOException {
        store.close();
        store = new MetricSeriesStore(CLOCK, 2);
        for (int round = 0; round < 3; round++) {
            for (int series = 0; series < 5; series++) {
                store.append(job, List.of(point("s" + series, round, round)));
                assertThat(store.openFiles()).isLessThanOrEqualTo(2);
            }
        }

        for (int series = 0; series < 5; series++) {
            assertThat(values(store.read(job, "s" + series, null, 10))).containsExactly(0.0, 1.0, 2.0);
        }
    }

    @Test
    void aClosedStoreRefusesWork() throws IOException {
        store.append(job, List.of(point("loss", 1, 0)));
        store.close();

        assertThatThrownBy(() -> store.append(job, List.of(point("loss", 2, 1))))
                .isInstanceOf(IllegalStateException.class);
        assertThat(job.resolve("metrics/loss.bin")).hasSize(24);
    }

    private void appendBatches(CountDownLatch start, int thread, int batches, int batchSize) {
        try {
            start.await();
            for (int batch = 0; batch < batches; batch++) {
                List<MetricPoint> points = new ArrayList<>(batchSize);
                for (int i = 0; i < batchSize; i++) {
                    int sequence = batch * batchSize + i;
                    points.add(point("loss", thread * 1_000_000 + sequence, sequence));
                }
                store.append(job, points);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private boolean awaitPoints(String name, long afterCount) {
        try {
            return store.awaitPoints(job, name, afterCount, Duration.ofSeconds(10));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A point at step {@code step}, measured {@code step} milliseconds after {@link #NOW}. */
    private static MetricPoint point(String name, double value, long step) {
        return new MetricPoint(name, value, step, at(step));
    }

    private static Instant at(long millis) {
        return NOW.plusMillis(millis);
    }

    private static List<Double> values(Series series) {
        return values(series.points());
    }

    private static List<Double> values(List<MetricPoint> points) {
        return points.stream().map(MetricPoint::value).toList();
    }
}
