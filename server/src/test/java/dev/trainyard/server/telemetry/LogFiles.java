package dev.trainyard.server.telemetry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** Writes job output the way a job would and reads an index back whole, for the log tests. */
final class LogFiles {
    static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private LogFiles() {}

    static void stdout(Path jobDir, String text) {
        append(jobDir.resolve(LogIndex.STDOUT_FILE), text.getBytes(StandardCharsets.UTF_8));
    }

    static void stderr(Path jobDir, String text) {
        append(jobDir.resolve(LogIndex.STDERR_FILE), text.getBytes(StandardCharsets.UTF_8));
    }

    static void append(Path file, byte[] bytes) {
        try {
            Files.write(file, bytes, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<LogLine> readAll(LogIndex index) throws IOException {
        List<LogLine> lines = new ArrayList<>();
        while (lines.size() < index.lineCount()) {
            lines.addAll(index.read(lines.size(), 10_000));
        }
        return lines;
    }

    static List<String> texts(List<LogLine> lines, LogLine.Stream stream) {
        return lines.stream()
                .filter(line -> line.stream() == stream)
                .map(LogLine::text)
                .toList();
    }

    static List<String> numbered(String prefix, int count) {
        List<String> texts = new ArrayList<>(count);
        for (int i = 1; i <= count; i++) {
            texts.add(prefix + i);
        }
        return texts;
    }
}
