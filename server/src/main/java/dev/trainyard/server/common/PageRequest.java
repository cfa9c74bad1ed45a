package dev.trainyard.server.common;

/** A window into a list: how many to skip and how many to take (1 to 500). */
public record PageRequest(int skip, int take) {
    public static final int DEFAULT_TAKE = 20;
    public static final int MAX_TAKE = 500;

    public PageRequest {
        if (skip < 0) {
            throw TrainyardException.invalid("skip", "must be 0 or more");
        }
        if (take < 1 || take > MAX_TAKE) {
            throw TrainyardException.invalid("take", "must be between 1 and " + MAX_TAKE);
        }
    }
}
