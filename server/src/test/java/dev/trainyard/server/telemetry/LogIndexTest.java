package dev.trainyard.server.telemetry;

import static dev.trainyard.server.telemetry.LogFiles.CLOCK;
import static dev.trainyard.server.telemetry.LogFiles.NOW;
import static dev.trainyard.server.telemetry.LogFiles.numbered;
import static dev.trainyard.server.telemetry.LogFiles.readAll;
import static dev.trainyard.server.telemetry.LogFiles.stderr;
import static dev.trainyard.server.telemetry.LogFiles.stdout;
import static dev.trainyard.server.telemetry.LogFiles.texts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.trainyard.server.telemetry.LogLine.Stream;
import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogIndexTest {
    @TempDir
    Path dir;

    @Test
    void numbersTheLinesOfBothStreamsInTheOrderSeen() throws IOException {
        try (LogIndex index = LogIndex.open(dir, CLOCK)) {
            stdout(dir, "a\nb\n");
            stderr(dir, "x\n");
            assertThat(index.poll()).isEqualTo(3);
            stdout(dir, "c\n");
            assertThat(index.poll()).isEqualTo(1);

            assertThat(index.lineCount()).isEqualTo(4);
            assertThat(index.read(0, 10))
                    .containsExactly(
                            new LogLine(0, NOW, Stream.STDOUT, "a"),
                            new LogLine(1, NOW, Stream.STDOUT, "b"),
                            new LogLine(2, NOW, Stream.STDERR, "x"),
                            new LogLine(3, NOW, Stream.STDOUT, "c"));
        }
    }

    @Test
    void anEmptyFolderHasNoLines() throws IOException {
        try (LogIndex index = LogIndex.open(dir, CLOCK)) {
            assertThat(index.poll()).isZero();
            assertThat(index.read(0, 10)).isEmpty();
            assertThat(index.isComplete()).isFalse();
        }
    }

    @Test
    void aPartialLineWaitsForItsNewline() throws IOException {
        try (LogIndex index = LogIndex.open(dir, CLOCK)) {
            stdout(dir, "hel");
            assertThat(index.poll()).isZero();
            stdout(dir, "lo\nwor");
            assertThat(index.poll()).isEqualTo(1);
            stdout(dir, "ld\n");
            assertThat(index.poll()).isEqualTo(1);

            assertThat(index.read(0, 10)).extracting(LogLine::text).containsExactly("hello", "world");
        }
    }

    @Test
    void finishIndexesTrailingPartialLinesAndMarksTheLogComplete() throws IOException {
        try (LogIndex index = LogIndex.open(dir, CLOCK)) {
            stdout(dir, "one\nlast words");
            stderr(dir, "fatal");
            index.poll();
            assertThat(index.lineCount()).isEqualTo(1);

            index.finish();
            index.finish();

            assertThat(index.isComplete()).isTrue();
            assertThat(dir.resolve(LogIndex.COMPLETE_FILE)).exists();
            assertThat(index.read(0, 10)).extracting(LogLine::text).containsExactly("one", "last words", "fatal");
            stdout(dir, "\nwritten after the end\n");
            assertThat(index.poll()).isZero();
        }
        try (LogIndex reopened = LogIndex.open(dir, CLOCK)) {
            assertThat(reopened.isComplete()).isTrue();
            assertThat(reopened.lineCount()).isEqualTo(3);
        }
    }

    @Test
    void pagesStartAtAnyLine() throws IOException {
        try (LogIndex index = LogIndex.open(dir, CLOCK)) {
            for (int i = 0; i < 100; i++) {
                stdout(dir, "out " + i + "\n");
                stderr(dir, "err " + i + "\n");
                index.poll();
            }

            assertThat(index.read(37, 4))
                    .extracting(LogLine::line, LogLine::text)
                    .containsExactly(
                            tuple(37L, "err 18"), tuple(38L, "out 19"), tuple(39L, "err 19"), tuple(40L, "out 20"));
            assertThat(index.read(195, 10)).hasSize(5);
            assertThat(index.read(200, 10)).isEmpty();
            assertThat(index.read(5_000, 1)).isEmpty();
            assertThat(index.read(3, 0)).isEmpty();
        }
    }

    @Test
    void copiesTextAsOneLinePerLine() throws IOException {
        try (LogIndex index = LogIndex.open(dir, CLOCK)) {
            stdout(dir, "a\nb\r\nc\n");
            stderr(dir, "x\n");
            index.poll();
            ByteArrayOutputStream out = new ByteArrayOutputStream();

            assertThat(index.copyText(1, 10, out)).isEqualTo(3);
            assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("b\nc\nx\n");
        }
    }

    @Test
    void indexesAMillionLinesAndReadsAnyPageInMilliseconds() throws IOException {
        try (BufferedWriter writer = Files.newBufferedWriter(dir.resolve(LogIndex.STDOUT_FILE))) {
            for (int i = 0; i < 1_000_000; i++) {
                writer.write("line " + i + " of the training output\n");
            }
        }
        try (LogIndex index = LogIndex.open(dir, CLOCK)) {
            assertThat(index.poll()).isEqualTo(1_000_000);

            assertThat(index.read(0, 1).get(0).text()).isEqualTo("line 0 of the training output");
            assertThat(index.read(999_999, 5))
                    .singleElement()
                    .extracting(LogLine::text)
                    .isEqualTo("line 999999 of the training output");
            long best = Long.MAX_VALUE;
            for (int attempt = 0; attempt < 5; attempt++) {
                long start = System.nanoTime();
                List<LogLine> page = index.read(987_654, 100);
                best = Math.min(best, System.nanoTime() - start);
                assertThat(page).hasSize(100);
                assertThat(page.get(0))
                        .isEqualTo(new LogLine(987_654, NOW, Stream.STDOUT, "line 987654 of the training output"));
            }
            assertThat(Duration.ofNanos(best)).isLessThan(Duration.ofMillis(50));
        }
    }

    @Test
    void splitsVeryLongLines() throws IOException {
        try (LogIndex index = LogIndex.open(dir, CLOCK)) {
            stdout(dir, "x".repeat(200_000) + "\nafter\n");
            index.poll();

            List<LogLine> lines = index.read(0, 10);
            assertThat(lines)
                    .extracting(line -> line.text().length())
                    .containsExactly(65_536, 65_536, 65_536, 3_392, 5);
            assertThat(lines.get(4).text()).isEqualTo("after");
        }
    }

    @Test
    void keepsALineOfExactlyTheLongestLengthWhole() throws IOException {
        try (LogIndex index = LogIndex.open(dir, CLOCK)) {
            stdout(dir, "y".repeat(LogIndex.MAX_LINE_BYTES) + "\nz\n");
            index.poll();

            assertThat(index.read(0, 10))
                    .extracting(line -> line.text().length())
                    .containsExactly(LogIndex.MAX_LINE_BYTES, 1);
        }
    }

    @Test
    void splitsLongLinesBetweenCharacters() throws IOException {
        String text = "a" + "é".repeat(40_000); // two bytes each, so byte 65,536 is mid-character
        try (LogIndex index = LogIndex.open(dir, CLOCK)) {
            stdout(dir, text + "\n");
            index.poll();

            List<String> parts = index.read(0, 10).stream().map(LogLine::text).toList();
            assertThat(parts).hasSize(2).noneMatch(part -> part.contains("\uFFFD"));
            assertThat(String.join("", parts)).isEqualTo(text);
        }
    }

    @Test
    void survivesInvalidUtf8() throws IOException {
        try (LogIndex index = LogIndex.open(dir, CLOCK)) {
            LogFiles.append(dir.resolve(LogIndex.STDOUT_FILE), new byte[] {'f', (byte) 0xFF, (byte) 0xC3, 'g', '\n'});
            stdout(dir, "fine\n");
            index.poll();

            assertThat(index.read(0, 10)).extracting(LogLine::text).containsExactly("f\uFFFD\uFFFDg", "fine");
        }
    }

    @Test
    void awaitLinesWakesAWaitingReader() throws Exception {
        try (LogIndex index = LogIndex.open(dir, CLOCK)) {
            CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> awaitLine(index, 0));
            assertThat(waiting).isNotDone();

            stdout(dir, "hello\n");
            index.poll();

            await().atMost(Duration.ofSeconds(5)).until(waiting::isDone);
            assertThat(waiting.get()).isTrue();
            assertThat(index.read(0, 1)).extracting(LogLine::text).containsExactly("hello");
        }
    }

    @Test
    void awaitLinesReturnsWhenTheLogCompletesOrTimesOut() throws Exception {
        try (LogIndex index = LogIndex.open(dir, CLOCK)) {
            assertThat(index.awaitLines(0, Duration.ofMillis(20))).isFalse();
            CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> awaitLine(index, 0));

            index.finish();

            assertThat(waiting.get(5, TimeUnit.SECONDS)).isTrue();
            assertThat(index.lineCount()).isZero();
        }
    }

    @Test
    void theListenerSeesEveryLineOnceInOrder() throws IOException {
        List<LogLine> heard = new CopyOnWriteArrayList<>();
        try (LogIndex index = LogIndex.open(dir, CLOCK, heard::addAll)) {
            // More lines than one batch of records holds, so batches are cut mid-chunk.
            StringBuilder text = new StringBuilder();
            for (int i = 1; i <= 20_000; i++) {
                text.append("step ").append(i).append('\n');
            }
            stdout(dir, text.toString());
            stderr(dir, "warning\n");
            index.poll();
            stdout(dir, "tail");
            index.finish();

            assertThat(heard).isEqualTo(readAll(index));
            assertThat(heard).hasSize(20_002);
        }
    }

    @Test
    void capturesARealProcessCompletely() throws Exception {
        try (LogIndex index = LogIndex.open(dir, CLOCK);
                LogTailer tailer = new LogTailer()) {
            Process job = new ProcessBuilder(
                            "/bin/bash", "-c", "for i in $(seq 1 1000); do echo out $i; echo err $i >&2; done")
                    .redirectOutput(dir.resolve(LogIndex.STDOUT_FILE).toFile())
                    .redirectError(dir.resolve(LogIndex.STDERR_FILE).toFile())
                    .start();
            tailer.track("job-1", index);
            CompletableFuture<List<LogLine>> follower = CompletableFuture.supplyAsync(() -> follow(index));

            assertThat(job.waitFor(30, TimeUnit.SECONDS)).isTrue();
            tailer.jobEnded("job-1").get(30, TimeUnit.SECONDS);

            List<LogLine> lines = readAll(index);
            assertThat(lines).hasSize(2_000);
            assertThat(texts(lines, Stream.STDOUT)).isEqualTo(numbered("out ", 1_000));
            assertThat(texts(lines, Stream.STDERR)).isEqualTo(numbered("err ", 1_000));
            assertThat(follower.get(30, TimeUnit.SECONDS)).isEqualTo(lines);
            assertThat(tailer.isTracking("job-1")).isFalse();
        }
    }

    private static boolean awaitLine(LogIndex index, long line) {
        try {
            return index.awaitLines(line, Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Reads the log the way a follow=true request would: page after page until it is complete. */
    private static List<LogLine> follow(LogIndex index) {
        List<LogLine> lines = new ArrayList<>();
        try {
            while (true) {
                boolean complete = index.isComplete();
                lines.addAll(index.read(lines.size(), 500));
                if (complete && lines.size() == index.lineCount()) {
                    return lines;
                }
                awaitLine(index, lines.size());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
