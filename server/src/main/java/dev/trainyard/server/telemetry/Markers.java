package dev.trainyard.server.telemetry;

import dev.trainyard.api.ProgressUpdate;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Marker lines: how a job reports progress and metrics by printing to stdout, from any language.
 *
 * <pre>
 * ::trainyard progress step=40 total_steps=100 epoch=2 total_epochs=10 message="warming up"
 * ::trainyard progress percent=42.5
 * ::trainyard metric loss=0.31 accuracy=0.87 step=40
 * ::trainyard metric val_loss=0.4 time=2026-11-23T10:00:00Z
 * </pre>
 *
 * A marker is a line that starts with {@code ::trainyard } followed by a kind ({@code progress}
 * or {@code metric}) and {@code key=value} pairs separated by spaces; a value with spaces is
 * double-quoted, with {@code \"} and {@code \\} inside. Progress keys: {@code percent} (0–100),
 * {@code step}, {@code total_steps} (or {@code total}), {@code epoch}, {@code total_epochs} (or
 * {@code epochs}), {@code message}. Metric keys: {@code step} and {@code time} (ISO-8601) apply to
 * the line's points; every other key is a metric name (letters, digits, '_', '.', ':', '-') with a
 * finite number as its value. A line that breaks any rule is ignored as a whole, never fatal; marker
 * lines stay in the log.
 */
public final class Markers {
    public static final String PREFIX = "::trainyard ";
    static final int MAX_MESSAGE = 1_000;
    private static final Pattern NUMBER = Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");

    private Markers() {}

    /** What a marker line said. */
    public sealed interface Marker {}

    /** A progress report. */
    public record Progress(ProgressUpdate update) implements Marker {}

    /** Metric points, without times when the line gave none (the caller stamps them). */
    public record Metrics(List<MetricPoint> points) implements Marker {}

    /** The marker on {@code line}, or empty for an ordinary or malformed line. */
    public static Optional<Marker> parse(String line) {
        if (line == null || !line.startsWith(PREFIX)) {
            return Optional.empty();
        }
        String rest = line.substring(PREFIX.length()).strip();
        int space = rest.indexOf(' ');
        String kind = space < 0 ? rest : rest.substring(0, space);
        Map<String, String> pairs = pairs(space < 0 ? "" : rest.substring(space + 1));
        if (pairs == null) {
            return Optional.empty();
        }
        try {
            return switch (kind) {
                case "progress" -> progress(pairs).map(Progress::new);
                case "metric", "metrics" -> metrics(pairs).map(Metrics::new);
                default -> Optional.empty();
            };
        } catch (NumberFormatException | DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static Optional<ProgressUpdate> progress(Map<String, String> pairs) {
        Double percent = null;
        Long step = null;
        Long total = null;
        Integer epoch = null;
        Integer epochs = null;
        String message = null;
        for (Map.Entry<String, String> pair : pairs.entrySet()) {
            String value = pair.getValue();
            switch (pair.getKey()) {
                case "percent" -> percent = finite(value);
                case "step" -> step = Long.parseLong(value);
                case "total", "total_steps" -> total = Long.parseLong(value);
                case "epoch" -> epoch = Integer.parseInt(value);
                case "epochs", "total_epochs" -> epochs = Integer.parseInt(value);
                case "message" -> message = value;
                default -> {
                    return Optional.empty();
                }
            }
        }
        ProgressUpdate update = new ProgressUpdate(percent, step, total, epoch, epochs, message);
        return ProgressRules.problem(update) == null ? Optional.of(update) : Optional.empty();
    }

    private static Optional<List<MetricPoint>> metrics(Map<String, String> pairs) {
        Long step = null;
        Instant time = null;
        List<MetricPoint> points = new ArrayList<>();
        for (Map.Entry<String, String> pair : pairs.entrySet()) {
            switch (pair.getKey()) {
                case "step" -> step = Long.parseLong(pair.getValue());
                case "time" -> time = Instant.parse(pair.getValue());
                default -> {
                    if (!MetricSeriesStore.isValidName(pair.getKey())) {
                        return Optional.empty();
                    }
                    points.add(new MetricPoint(pair.getKey(), finite(pair.getValue()), null, null));
                }
            }
        }
        if (points.isEmpty() || (step != null && step < 0)) {
            return Optional.empty();
        }
        Long pointStep = step;
        Instant pointTime = time;
        return Optional.of(points.stream()
                .map(point -> new MetricPoint(point.name(), point.value(), pointStep, pointTime))
                .toList());
    }

    /** A plain decimal number (no NaN, Infinity, hex or type suffixes) that fits a double. */
    private static double finite(String text) {
        if (!NUMBER.matcher(text).matches()) {
            throw new NumberFormatException("not a number: " + text);
        }
        double value = Double.parseDouble(text);
        if (!Double.isFinite(value)) {
            throw new NumberFormatException("too large: " + text);
        }
        return value;
    }

    /** The key=value pairs of a marker, or null when they do not parse (or a key repeats). */
    private static Map<String, String> pairs(String text) {
        Map<String, String> pairs = new LinkedHashMap<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            if (text.charAt(i) == ' ') {
                i++;
                continue;
            }
            int equals = text.indexOf('=', i);
            if (equals <= i) {
                return null;
            }
            String key = text.substring(i, equals);
            if (key.indexOf(' ') >= 0) {
                return null;
            }
            i = equals + 1;
            String value;
            if (i < n && text.charAt(i) == '"') {
                StringBuilder quoted = new StringBuilder();
                i++;
                boolean closed = false;
                while (i < n) {
                    char c = text.charAt(i++);
                    if (c == '\\' && i < n) {
                        quoted.append(text.charAt(i++));
                    } else if (c == '"') {
                        closed = true;
                        break;
                    } else {
                        quoted.append(c);
                    }
                }
                if (!closed || (i < n && text.charAt(i) != ' ')) {
                    return null;
                }
                value = quoted.toString();
            } else {
                int end = text.indexOf(' ', i);
                end = end < 0 ? n : end;
                value = text.substring(i, end);
                if (value.isEmpty() || value.indexOf('"') >= 0) {
                    return null;
                }
                i = end;
            }
            if (pairs.put(key, value) != null) {
                return null;
            }
        }
        return pairs;
    }
}
