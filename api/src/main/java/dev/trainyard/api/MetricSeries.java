package dev.trainyard.api;

import java.time.Instant;
import java.util.List;

/**
 * A job's metric over time. When the series has more points than asked for ({@code max_points}),
 * {@code points} is a selection that keeps each time bucket's first, minimum, maximum and last
 * point, so peaks and dips stay visible; {@code total_points} is how many there are.
 */
public record MetricSeries(String jobId, String name, List<Point> points, long totalPoints, boolean downsampled) {

    /** One point: when, what value, and the training step if the job said. */
    public record Point(Instant time, double value, Long step) {}
}
