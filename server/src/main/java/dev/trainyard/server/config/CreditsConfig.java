package dev.trainyard.server.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How jobs are charged.
 *
 * @param welcomeMicros credits (in micro-credits) an organization's account opens with
 * @param meteringPeriod how often running jobs are billed; a submission must pay one period
 * @param pricesFile a JSON price list replacing the shipped prices, or null
 */
public record CreditsConfig(long welcomeMicros, Duration meteringPeriod, Path pricesFile) {

    public CreditsConfig {
        if (welcomeMicros < 0) {
            throw new IllegalArgumentException("welcome credits must be 0 or more");
        }
        if (meteringPeriod == null || meteringPeriod.toMillis() < 100) {
            throw new IllegalArgumentException("the metering period must be at least 100ms");
        }
    }

    public static CreditsConfig defaults() {
        return new CreditsConfig(1_000_000_000L, Duration.ofSeconds(60), null);
    }

    public CreditsConfig withWelcomeMicros(long micros) {
        return new CreditsConfig(micros, meteringPeriod, pricesFile);
    }

    public CreditsConfig withMeteringPeriod(Duration period) {
        return new CreditsConfig(welcomeMicros, period, pricesFile);
    }
}
