package dev.trainyard.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainyard.server.common.TrainyardException;
import dev.trainyard.server.testing.TestingClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
    @Test
    void allowsTheBudgetThenRefusesWithTheTimeToWaitThenRefills() {
        TestingClock clock = new TestingClock(Instant.parse("2026-01-01T00:00:00Z"));
        RateLimiter limiter = new RateLimiter(6, clock);
        for (int i = 0; i < 6; i++) {
            limiter.acquire("10.0.0.1");
        }

        assertThatThrownBy(() -> limiter.acquire("10.0.0.1"))
                .isInstanceOfSatisfying(
                        TrainyardException.class,
                        e -> assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(10)));
        limiter.acquire("10.0.0.2");

        clock.advance(Duration.ofSeconds(10));
        limiter.acquire("10.0.0.1");
        assertThatThrownBy(() -> limiter.acquire("10.0.0.1")).isInstanceOf(TrainyardException.class);
    }
}
