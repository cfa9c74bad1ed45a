package dev.trainyard.server.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {
    @Test
    void readsTheShortFormsPeopleWrite() {
        assertThat(Durations.parse("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.parse("30m")).isEqualTo(Duration.ofMinutes(30));
        assertThat(Durations.parse("4h")).isEqualTo(Duration.ofHours(4));
        assertThat(Durations.parse("2d")).isEqualTo(Duration.ofDays(2));
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse(" 4H ")).isEqualTo(Duration.ofHours(4));
    }

    @Test
    void readsIso8601() {
        assertThat(Durations.parse("PT4H")).isEqualTo(Duration.ofHours(4));
        assertThat(Durations.parse("pt1m30s")).isEqualTo(Duration.ofSeconds(90));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "forever", "4 hours", "-5m", "5x", "h4", "9999999999h"})
    void refusesAnythingElseWithAnExample(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("30m");
    }
}
