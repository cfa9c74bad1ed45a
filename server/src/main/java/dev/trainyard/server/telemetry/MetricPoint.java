package dev.trainyard.server.telemetry;

import java.time.Instant;
import java.util.Objects;

/**
 * One measurement of a job's metric: its name (see {@link MetricSeriesStore} for which names are
 * allowed), its value, the training step it belongs to if the job said, and when it was measured.
 *
 * <p>The store keeps times to the millisecond and stores whatever value it is given: callers
 * refuse NaN and infinities before appending, because a chart or a JSON encoder cannot show them.
 * A null time means "now" to {@link MetricSeriesStore#append}; points read back always have one.
 */
public record MetricPoint(String name, double value, Long step, Instant time) {
    public MetricPoint {
        Objects.requireNonNull(name, "name");
    }
}
