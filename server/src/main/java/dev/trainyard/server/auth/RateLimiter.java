package dev.trainyard.server.auth;

import dev.trainyard.server.common.TrainyardException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per client address: {@code perMinute} attempts, refilled evenly over a minute.
 * Guards the credential-checking routes against guessing.
 */
public final class RateLimiter {
    private static final int MAX_TRACKED_CLIENTS = 100_000;

    private final double capacity;
    private final double refillPerMilli;
    private final Clock clock;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    public RateLimiter(int perMinute, Clock clock) {
        this.capacity = perMinute;
        this.refillPerMilli = perMinute / 60_000.0;
        this.clock = clock;
    }

    /** Takes one attempt for {@code client}, or throws 429 with the time until the next one. */
    public void acquire(String client) {
        long now = clock.millis();
        if (buckets.size() > MAX_TRACKED_CLIENTS) {
            buckets.values().removeIf(bucket -> bucket.isFullAt(now));
        }
        Bucket bucket = buckets.computeIfAbsent(client, key -> new Bucket(capacity, now));
        long waitMillis = bucket.take(now);
        if (waitMillis > 0) {
            throw TrainyardException.rateLimited(Duration.ofMillis(waitMillis));
        }
    }

    private final class Bucket {
        private double tokens;
        private long updatedAt;

        Bucket(double tokens, long updatedAt) {
            this.tokens = tokens;
            this.updatedAt = updatedAt;
        }

        synchronized long take(long now) {
            refill(now);
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return (long) Math.ceil((1 - tokens) / refillPerMilli);
        }

        synchronized boolean isFullAt(long now) {
            refill(now);
            return tokens >= capacity;
        }

        private void refill(long now) {
            tokens = Math.min(capacity, tokens + (now - updatedAt) * refillPerMilli);
            updatedAt = now;
        }
    }
}
