package dev.trainyard.server.telemetry;

import java.util.ArrayList;
import java.util.List;

/**
 * Thins a series for a chart without hiding what matters on one: the points in time order are cut
 * into equal-count buckets, and each bucket gives its lowest and its highest point (in time order;
 * once if they are the same point). Every spike therefore survives, and the global minimum and
 * maximum are always there, which averaging or picking every n-th point would not promise.
 */
final class Downsampling {
    private Downsampling() {}

    /** All points of {@code order} if there are at most {@code maxPoints}, else at most that many. */
    static List<MetricPoint> points(SeriesView view, SeriesView.TimeOrder order, int maxPoints) {
        int size = order.size();
        if (size <= maxPoints) {
            return order.all().mapToObj(view::point).toList();
        }
        int buckets = maxPoints / 2;
        List<MetricPoint> points = new ArrayList<>(2 * buckets);
        for (int bucket = 0; bucket < buckets; bucket++) {
            int from = (int) ((long) bucket * size / buckets);
            int to = (int) ((long) (bucket + 1) * size / buckets);
            addExtremes(view, order, from, to, points);
        }
        return points;
    }

    /** Adds the lowest and highest of the points {@code from} (inclusive) to {@code to}. */
    private static void addExtremes(
            SeriesView view, SeriesView.TimeOrder order, int from, int to, List<MetricPoint> points) {
        int lowest = from;
        int highest = from;
        double low = view.value(order.at(from));
        double high = low;
        for (int i = from + 1; i < to; i++) {
            double value = view.value(order.at(i));
            if (value < low) {
                lowest = i;
                low = value;
            } else if (value > high) {
                highest = i;
                high = value;
            }
        }
        points.add(view.point(order.at(Math.min(lowest, highest))));
        if (lowest != highest) {
            points.add(view.point(order.at(Math.max(lowest, highest))));
        }
    }
}
