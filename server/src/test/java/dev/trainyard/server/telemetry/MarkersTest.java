package dev.trainyard.server.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainyard.api.ProgressUpdate;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MarkersTest {
    @Test
    void progressWithEveryKeyAndAQuotedMessage() {
        assertThat(
                        Markers.parse(
                                "::trainyard progress step=40 total_steps=100 epoch=2 total_epochs=10 message=\"warm \\\"up\\\"\""))
                .contains(new Markers.Progress(new ProgressUpdate(null, 40L, 100L, 2, 10, "warm \"up\"")));
        assertThat(Markers.parse("::trainyard progress percent=42.5"))
                .contains(new Markers.Progress(new ProgressUpdate(42.5, null, null, null, null, null)));
        assertThat(Markers.parse("::trainyard progress step=3 total=9 epochs=4"))
                .contains(new Markers.Progress(new ProgressUpdate(null, 3L, 9L, null, 4, null)));
    }

    @Test
    void metricsShareTheLinesStepAndTime() {
        assertThat(Markers.parse("::trainyard metric loss=0.31 acc=8.7e-1 step=40 time=2026-11-23T10:00:00Z"))
                .contains(new Markers.Metrics(List.of(
                        new MetricPoint("loss", 0.31, 40L, Instant.parse("2026-11-23T10:00:00Z")),
                        new MetricPoint("acc", 0.87, 40L, Instant.parse("2026-11-23T10:00:00Z")))));
        assertThat(Markers.parse("::trainyard metric val/loss=1")).isEmpty();
        assertThat(Markers.parse("::trainyard metric -loss=-1.5"))
                .contains(new Markers.Metrics(List.of(new MetricPoint("-loss", -1.5, null, null))));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "::trainyard",
                "::trainyard ",
                "::trainyard progress",
                "::trainyard progress percent=101",
                "::trainyard progress percent=-1",
                "::trainyard progress percent=NaN",
                "::trainyard progress step=5 total=4",
                "::trainyard progress total=0",
                "::trainyard progress step=x",
                "::trainyard progress step=1 step=2",
                "::trainyard progress colour=red",
                "::trainyard progress message=\"unterminated",
                "::trainyard progress message=\"a\"b",
                "::trainyard progress step=",
                "::trainyard progress =3",
                "::trainyard metric",
                "::trainyard metric loss=Infinity",
                "::trainyard metric loss=1e999",
                "::trainyard metric loss=0x10",
                "::trainyard metric loss=1f",
                "::trainyard metric loss=",
                "::trainyard metric loss=1 step=-1",
                "::trainyard metric loss=1 time=yesterday",
                "::trainyard metric ..=1",
                "::trainyard rocket launch=1",
                "::trainyardprogress percent=5",
                " ::trainyard progress percent=5",
                "progress percent=5"
            })
    void malformedOrOrdinaryLinesAreNotMarkers(String line) {
        assertThat(Markers.parse(line)).isEmpty();
    }
}
