package dev.trainyard.server.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainyard.api.JobProgress;
import dev.trainyard.api.JobState;
import dev.trainyard.api.ProgressUpdate;
import dev.trainyard.server.executor.GpuUse;
import dev.trainyard.server.executor.Usage;
import dev.trainyard.server.http.Json;
import dev.trainyard.server.testing.TestingClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobTelemetryTest {
    private static final String JOB = "j-telemetry0001";

    @TempDir
    Path root;

    private final TestingClock clock = new TestingClock(Instant.parse("2026-11-23T10:00:00Z"));

    private JobTelemetry open() {
        return new JobTelemetry(root, clock, Json.newMapper(), Duration.ofDays(1));
    }

    @Test
    void etaFollowsTheRateAndFieldsKeepTheirLastValue() {
        try (JobTelemetry telemetry = open()) {
            Instant start = clock.instant();
            telemetry.reportProgress(JOB, new ProgressUpdate(null, 10L, 100L, 1, 10, "warming up"), start);
            telemetry.reportProgress(JOB, new ProgressUpdate(null, 30L, null, null, null, null), start.plusSeconds(20));
            clock.advance(Duration.ofSeconds(25));

            JobProgress progress = telemetry.progressView(JOB, JobState.RUNNING);

            // 20 points in 20 s: 70 to go is 70 s after the last report, 5 s of which have passed.
            assertThat(progress.percent()).isEqualTo(30.0);
            assertThat(progress.totalSteps()).isEqualTo(100L);
            assertThat(progress.epoch()).isEqualTo(1);
            assertThat(progress.message()).isEqualTo("warming up");
            assertThat(progress.etaSeconds()).isEqualTo(65L);
            assertThat(telemetry.progressView(JOB, JobState.FAILED).etaSeconds())
                    .isNull();
            assertThat(telemetry.progressView(JOB, JobState.COMPLETED).percent())
                    .isEqualTo(100.0);
        }
    }

    @Test
    void progressOutlivesTheServerAndAPercentOf100WaitsForCompletion() {
        try (JobTelemetry telemetry = open()) {
            telemetry.reportProgress(JOB, new ProgressUpdate(100.0, null, null, null, null, "done"), clock.instant());
            assertThat(telemetry.percent(JOB, JobState.RUNNING)).isEqualTo(99.9);
        }
        try (JobTelemetry restarted = open()) {
            assertThat(restarted.progressView(JOB, JobState.RUNNING).message()).isEqualTo("done");
            assertThat(restarted.percent(JOB, JobState.COMPLETED)).isEqualTo(100.0);
        }
    }

    @Test
    void cpuIsTheCpuTimeUsedBetweenSamplesAndGpuFiguresOnlyForTheJobsGpus() throws Exception {
        try (JobTelemetry telemetry = open()) {
            Map<Integer, GpuUse> gpus = Map.of(0, new GpuUse(90, 1_000), 1, new GpuUse(50, 3_000), 2, new GpuUse(7, 9));
            telemetry.recordUsage(JOB, new Usage(100, 10, 1, 5.0, 0, 0), List.of(0, 1), gpus, clock.instant());
            clock.advance(Duration.ofSeconds(2));
            telemetry.recordUsage(JOB, new Usage(200, 10, 1, 8.0, 0, 0), List.of(0, 1), gpus, clock.instant());

            Path folder = telemetry.folder(JOB);
            assertThat(telemetry
                            .metrics()
                            .latest(folder, JobTelemetry.CPU)
                            .orElseThrow()
                            .value())
                    .isEqualTo(150.0);
            assertThat(telemetry
                            .metrics()
                            .latest(folder, JobTelemetry.GPU_UTILIZATION)
                            .orElseThrow()
                            .value())
                    .isEqualTo(70.0);
            assertThat(telemetry
                            .metrics()
                            .latest(folder, JobTelemetry.GPU_MEMORY)
                            .orElseThrow()
                            .value())
                    .isEqualTo(4_000.0);
            assertThat(telemetry.metrics().count(folder, JobTelemetry.CPU)).isEqualTo(1);

            telemetry.recordUsage("j-nogpu0000001", new Usage(1, 1, 1), List.of(), Map.of(), clock.instant());
            assertThat(telemetry.metricNames("j-nogpu0000001")).containsExactly("disk", "memory");
        }
    }

    @Test
    void retentionRemovesPointsOlderThanItsAge() throws Exception {
        try (JobTelemetry telemetry = open()) {
            telemetry.appendMetrics(JOB, List.of(new MetricPoint("loss", 1, null, clock.instant())));
            clock.advance(Duration.ofHours(30));
            telemetry.appendMetrics(JOB, List.of(new MetricPoint("loss", 2, null, clock.instant())));

            assertThat(telemetry.applyRetention()).isEqualTo(1);
            assertThat(telemetry.metrics().count(telemetry.folder(JOB), "loss")).isEqualTo(1);
        }
    }
}
