package dev.trainyard.server.telemetry;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Measures the log index on this machine: indexing throughput on a 1 GiB file of ~100-byte lines,
 * page-read latency, text copy throughput, indexing while a writer produces output, and how long a
 * line takes to reach a follower. Not a test (surefire does not pick up the name); run it with the
 * test classpath: {@code java -cp ... dev.trainyard.server.telemetry.LogIndexBench [dir]}.
 */
final class LogIndexBench {
    private static final long GIB = 1L << 30;
    private static final int LINE_BYTES = 100;

    private LogIndexBench() {}

    public static void main(String[] args) throws Exception {
        Path root = Files.createTempDirectory(args.length > 0 ? Path.of(args[0]) : Path.of("/tmp"), "log-bench-");
        try {
            indexing(root.resolve("bulk"));
            live(root.resolve("live"));
            followLatency(root.resolve("follow"));
        } finally {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }
    }

    private static void indexing(Path dir) throws IOException {
        Files.createDirectories(dir);
        long start = System.nanoTime();
        long lines = writeLines(dir.resolve(LogIndex.STDOUT_FILE), GIB);
        report("wrote", GIB, lines, System.nanoTime() - start);
        try (LogIndex index = LogIndex.open(dir, Clock.systemUTC())) {
            start = System.nanoTime();
            long indexed = index.poll();
            report("indexed", GIB, indexed, System.nanoTime() - start);
            pageReads(index);
            copy(index);
        }
        long reopenStart = System.nanoTime();
        try (LogIndex index = LogIndex.open(dir, Clock.systemUTC())) {
            System.out.printf(
                    Locale.ROOT,
                    "reopened %,d lines (not complete, so it recovers) in %.1f ms%n",
                    index.lineCount(),
                    (System.nanoTime() - reopenStart) / 1e6);
        }
    }

    private static void pageReads(LogIndex index) throws IOException {
        SplittableRandom random = new SplittableRandom(42);
        for (int warmup = 0; warmup < 2_000; warmup++) {
            index.read(random.nextLong(index.lineCount() - 100), 100);
        }
        long[] nanos = new long[2_000];
        for (int i = 0; i < nanos.length; i++) {
            long offset = random.nextLong(index.lineCount() - 100);
            long start = System.nanoTime();
            index.read(offset, 100);
            nanos[i] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        System.out.printf(
                Locale.ROOT,
                "page of 100 lines at a random offset: p50 %.3f ms, p99 %.3f ms, max %.3f ms%n",
                nanos[nanos.length / 2] / 1e6,
                nanos[nanos.length * 99 / 100] / 1e6,
                nanos[nanos.length - 1] / 1e6);
        long start = System.nanoTime();
        index.read(987_654, 100);
        System.out.printf(Locale.ROOT, "page at line 987,654: %.3f ms%n", (System.nanoTime() - start) / 1e6);
    }

    private static void copy(LogIndex index) throws IOException {
        CountingStream out = new CountingStream();
        long start = System.nanoTime();
        long lines = index.copyText(0, 2_000_000, out);
        report("copied as text", out.count, lines, System.nanoTime() - start);
    }

    /** A writer produces 1 GiB as fast as it can while a tailer indexes; how far behind is it? */
    private static void live(Path dir) throws Exception {
        Files.createDirectories(dir);
        try (LogIndex index = LogIndex.open(dir, Clock.systemUTC());
                LogTailer tailer = new LogTailer()) {
            tailer.track("live", index);
            long start = System.nanoTime();
            long lines = writeLines(dir.resolve(LogIndex.STDOUT_FILE), GIB);
            long written = System.nanoTime() - start;
            long behind = lines - index.lineCount();
            while (!index.awaitLines(lines - 1, Duration.ofSeconds(1))) {
                // keep waiting: the tailer is still catching up
            }
            long caughtUp = System.nanoTime() - start;
            tailer.jobEnded("live").get(60, TimeUnit.SECONDS);
            report("live writer", GIB, lines, written);
            System.out.printf(
                    Locale.ROOT,
                    "  index %,d lines behind when the writer finished, caught up %.0f ms later (%.0f MB/s end to end)%n",
                    behind,
                    (caughtUp - written) / 1e6,
                    GIB / 1e6 / (caughtUp / 1e9));
        }
    }

    /** Lines written at random pauses (0 to 300 ms): the time until a follower has each one. */
    private static void followLatency(Path dir) throws Exception {
        Files.createDirectories(dir);
        int count = 200;
        long[] writtenAt = new long[count];
        try (LogIndex index = LogIndex.open(dir, Clock.systemUTC());
                LogTailer tailer = new LogTailer();
                OutputStream out = Files.newOutputStream(
                        dir.resolve(LogIndex.STDOUT_FILE), StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            tailer.track("follow", index);
            CompletableFuture<long[]> follower = CompletableFuture.supplyAsync(() -> follow(index, count));
            SplittableRandom random = new SplittableRandom(7);
            for (int i = 0; i < count; i++) {
                Thread.sleep(random.nextInt(300)); // pacing the writer, not waiting for a condition
                writtenAt[i] = System.nanoTime();
                out.write(("line " + i + "\n").getBytes(StandardCharsets.UTF_8));
            }
            long[] seenAt = follower.get(60, TimeUnit.SECONDS);
            long[] latency = new long[count];
            for (int i = 0; i < count; i++) {
                latency[i] = seenAt[i] - writtenAt[i];
            }
            Arrays.sort(latency);
            System.out.printf(
                    Locale.ROOT,
                    "follow latency over %d lines: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                    count,
                    latency[count / 2] / 1e6,
                    latency[count * 9 / 10] / 1e6,
                    latency[count * 99 / 100] / 1e6,
                    latency[count - 1] / 1e6);
        }
    }

    private static long[] follow(LogIndex index, int count) {
        long[] seenAt = new long[count];
        int seen = 0;
        try {
            while (seen < count) {
                index.awaitLines(seen, Duration.ofSeconds(10));
                List<LogLine> lines = index.read(seen, count - seen);
                long now = System.nanoTime();
                for (int i = 0; i < lines.size(); i++) {
                    seenAt[seen + i] = now;
                }
                seen += lines.size();
            }
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
        return seenAt;
    }

    /** Writes lines of exactly {@link #LINE_BYTES} bytes (with the '\n') up to {@code bytes}. */
    private static long writeLines(Path file, long bytes) throws IOException {
        // Formatting each line with String.format would make the writer, not the index, the limit.
        byte[] line = "step 0000000000 loss 0.1234 lr 0.0003 epoch 1 ".getBytes(StandardCharsets.US_ASCII);
        line = Arrays.copyOf(line, LINE_BYTES);
        Arrays.fill(line, 46, LINE_BYTES - 1, (byte) 'x');
        line[LINE_BYTES - 1] = '\n';
        long lines = bytes / LINE_BYTES;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            for (long i = 0; i < lines; i++) {
                long number = i;
                for (int digit = 14; digit >= 5; digit--) {
                    line[digit] = (byte) ('0' + number % 10);
                    number /= 10;
                }
                out.write(line);
            }
        }
        return lines;
    }

    private static void report(String what, long bytes, long lines, long nanos) {
        double seconds = nanos / 1e9;
        System.out.printf(
                Locale.ROOT,
                "%s %,d lines (%.0f MB) in %.2f s: %.0f MB/s, %,.0f lines/s%n",
                what,
                lines,
                bytes / 1e6,
                seconds,
                bytes / 1e6 / seconds,
                lines / seconds);
    }

    private static final class CountingStream extends OutputStream {
        private long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
