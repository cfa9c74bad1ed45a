package dev.trainyard.api;

import java.util.List;
import java.util.Objects;

/**
 * One page of a list: the items, the total number of matches, and the window asked for.
 *
 * @param <T> the item type
 */
public record Page<T>(List<T> items, long total, int skip, int take) {
    public Page {
        items = List.copyOf(Objects.requireNonNull(items, "items"));
    }
}
