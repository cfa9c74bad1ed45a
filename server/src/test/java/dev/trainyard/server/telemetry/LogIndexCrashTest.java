package dev.trainyard.server.telemetry;

import static dev.trainyard.server.telemetry.LogFiles.CLOCK;
import static dev.trainyard.server.telemetry.LogFiles.numbered;
import static dev.trainyard.server.telemetry.LogFiles.readAll;
import static dev.trainyard.server.telemetry.LogFiles.stderr;
import static dev.trainyard.server.telemetry.LogFiles.stdout;
import static dev.trainyard.server.telemetry.LogFiles.texts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trainyard.server.telemetry.LogLine.Stream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A server killed at any moment resumes indexing with no line lost or repeated. */
class LogIndexCrashTest {
    @TempDir
    Path dir;

    @Test
    void resumesWithOutputWrittenWhileTheServerWasDown() throws IOException {
        writeLines(1, 10);
        try (LogIndex index = LogIndex.open(dir, CLOCK)) {
            index.poll();
        }
        writeLines(11, 25);
        stdout(dir, "out 2");

        try (LogIndex index = LogIndex.open(dir, CLOCK)) {
            assertThat(index.lineCount()).isEqualTo(20);
            index.poll();
            stdout(dir, "6\n");
            stderr(dir, "err 26\n");
            index.poll();
            assertThat(index.read(0, 20))
                    .extracting(LogLine::line)
                    .startsWith(0L, 1L)
                    .endsWith(19L);
            assertEveryLineOnce(index, 26);
        }
    }

    @Test
    void dropsATornRecordAndIndexesItsLineAgain() throws IOException {
        writeLines(1, 10);
        try (LogIndex index = LogIndex.open(dir, CLOCK)) {
            index.poll();
        }
        truncateIndex(19L * IndexRecord.SIZE + 7);

        try (LogIndex index = LogIndex.open(dir, CLOCK)) {
            assertThat(index.lineCount()).isEqualTo(19);
            assertThat(Files.size(dir.resolve(LogIndex.INDEX_FILE))).isEqualTo(19L * IndexRecord.SIZE);
            assertThat(index.poll()).isEqualTo(1);
            assertEveryLineOnce(index, 10);
        }
    }

    @Test
    void resumesEachStreamAfterItsOwnLastRecord() throws IOException {
        stdout(dir, "out 1\nout 2\n");
        try (LogIndex index = LogIndex.open(dir, CLOCK)) {
            index.poll();
            stderr(dir, "err 1\nerr 2\n");
            index.poll();
        }
        // Lose every stderr record and one stdout record: a crash before they reached the disk.
        truncateIndex(1L * IndexRecord.SIZE);

        try (LogIndex index = LogIndex.open(dir, CLOCK)) {
            assertThat(index.poll()).isEqualTo(3);
            assertEveryLineOnce(index, 2);
        }
    }

    @Test
    void dropsAZeroFilledTail() throws IOException {
        writeLines(1, 3);
        try (LogIndex index = LogIndex.open(dir, CLOCK)) {
            index.poll();
        }
        LogFiles.append(dir.resolve(LogIndex.INDEX_FILE), new byte[3 * IndexRecord.SIZE]);

        try (LogIndex index = LogIndex.open(dir, CLOCK)) {
            assertThat(index.lineCount()).isEqualTo(6);
            assertThat(index.poll()).isZero();
            assertEveryLineOnce(index, 3);
        }
    }

    @Test
    void resumesInsideASplitLine() throws IOException {
        String longLine = "z".repeat(3 * LogIndex.MAX_LINE_BYTES + 10);
        stdout(dir, longLine + "\nafter\n");
        try (LogIndex index = LogIndex.open(dir, CLOCK)) {
            assertThat(index.poll()).isEqualTo(5);
        }
        truncateIndex(2L * IndexRecord.SIZE);

        try (LogIndex index = LogIndex.open(dir, CLOCK)) {
            assertThat(index.poll()).isEqualTo(3);
            List<LogLine> lines = readAll(index);
            assertThat(String.join("", texts(lines, Stream.STDOUT).subList(0, 4)))
                    .isEqualTo(longLine);
            assertThat(lines.get(4).text()).isEqualTo("after");
        }
    }

    @Test
    void finishingAgainAfterACrashDoesNotRepeatTheLastLine() throws IOException {
        stdout(dir, "out 1\nno newline");
        try (LogIndex index = LogIndex.open(dir, CLOCK)) {
            index.finish();
        }
        // The server died after the last record but before the completion marker.
        Files.delete(dir.resolve(LogIndex.COMPLETE_FILE));

        try (LogIndex index = LogIndex.open(dir, CLOCK)) {
            assertThat(index.isComplete()).isFalse();
            index.finish();
            assertThat(readAll(index)).extracting(LogLine::text).containsExactly("out 1", "no newline");
        }
    }

    @Test
    void resumesAfterTheIndexerIsKilled() throws Exception {
        int perStream = 100_000;
        Process job = new ProcessBuilder(
                        "/bin/bash", "-c", "for i in $(seq 1 " + perStream + "); do echo out $i; echo err $i >&2; done")
                .redirectOutput(dir.resolve(LogIndex.STDOUT_FILE).toFile())
                .redirectError(dir.resolve(LogIndex.STDERR_FILE).toFile())
                .start();
        try {
            long indexed = 0;
            for (int kill = 0; kill < 2; kill++) {
                // The job may be done and indexed before a kill; then the next indexer has less to do.
                indexed = killIndexerOnceItPasses(Math.min(indexed + 1_000, 2L * perStream));
            }
            assertThat(job.waitFor(60, TimeUnit.SECONDS)).isTrue();
            try (LogIndex index = LogIndex.open(dir, CLOCK)) {
                index.finish();
                assertEveryLineOnce(index, perStream);
            }
        } finally {
            job.destroyForcibly();
        }
    }

    /** Runs an indexer process until the index holds {@code records} records, then kill -9s it. */
    private long killIndexerOnceItPasses(long records) throws Exception {
        Process indexer = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        IndexingProcess.class.getName(),
                        dir.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("indexer.out").toFile())
                .start();
        try {
            Path index = dir.resolve(LogIndex.INDEX_FILE);
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> Files.exists(index) && Files.size(index) >= records * IndexRecord.SIZE);
        } finally {
            indexer.destroyForcibly();
            indexer.waitFor(30, TimeUnit.SECONDS);
        }
        return Files.size(dir.resolve(LogIndex.INDEX_FILE)) / IndexRecord.SIZE;
    }

    private void writeLines(int from, int to) {
        for (int i = from; i <= to; i++) {
            stdout(dir, "out " + i + "\n");
            stderr(dir, "err " + i + "\n");
        }
    }

    private void truncateIndex(long size) throws IOException {
        try (FileChannel index = FileChannel.open(dir.resolve(LogIndex.INDEX_FILE), StandardOpenOption.WRITE)) {
            index.truncate(size);
        }
    }

    private static void assertEveryLineOnce(LogIndex index, int perStream) throws IOException {
        List<LogLine> lines = readAll(index);
        assertThat(lines).hasSize(2 * perStream);
        for (int i = 0; i < lines.size(); i++) {
            assertThat(lines.get(i).line()).isEqualTo(i);
        }
        assertThat(texts(lines, Stream.STDOUT)).isEqualTo(numbered("out ", perStream));
        assertThat(texts(lines, Stream.STDERR)).isEqualTo(numbered("err ", perStream));
    }
}
