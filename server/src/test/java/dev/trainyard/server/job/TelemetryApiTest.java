package dev.trainyard.server.job;

import static dev.trainyard.server.job.JobTesting.awaitEnd;
import static dev.trainyard.server.job.JobTesting.awaitState;
import static dev.trainyard.server.job.JobTesting.body;
import static dev.trainyard.server.job.JobTesting.completeLog;
import static dev.trainyard.server.job.JobTesting.project;
import static dev.trainyard.server.job.JobTesting.submit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trainyard.server.config.JobsConfig;
import dev.trainyard.server.testing.HttpResponse;
import dev.trainyard.server.testing.TestServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Progress and metrics through the real server, reported by real jobs. */
class TelemetryApiTest {
    private static TestServer server;
    private static String[] admin;
    private static String project;

    @BeforeAll
    static void start() {
        server = TestServer.start(config -> config.withJobs(JobsConfig.defaults()
                .withCapacity(8, 8 * 1024, "none")
                .withStopGrace(Duration.ofSeconds(2))
                .withSampleInterval(Duration.ofMillis(300))));
        admin = new String[] {"X-API-KEY", server.adminKey()};
        project = project(server, admin, "telemetry");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A shell line that POSTs {@code json} to the job's own {@code route} with its token. */
    private static String report(String route, String json) {
        return "curl -s -o /dev/null -w '" + route + "=%{http_code}\\n' -X POST -H 'Content-Type: application/json'"
                + " -H \"Authorization: Bearer $TRAINYARD_JOB_TOKEN\" -d '" + json + "'"
                + " \"$TRAINYARD_URL/api/jobs/$TRAINYARD_JOB_ID/" + route + "\"";
    }

    private static String started(String runCommand) {
        String id = submit(server, admin, body(project, runCommand)).get("id").asText();
        awaitState(server, admin, id, "RUNNING");
        return id;
    }

    private static JsonNode progress(String id) {
        HttpResponse answer = server.get("/api/jobs/" + id + "/progress", admin);
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        return answer.json();
    }

    @Test
    void markersAndTheApiGiveTheSameProgress() {
        String viaMarkers = started("echo '::trainyard progress step=40 total_steps=100 epoch=2 total_epochs=10"
                + " message=\"half way\"'; sleep 30");
        String viaApi = started(report(
                        "progress",
                        "{\"step\":40,\"total_steps\":100,\"epoch\":2,\"total_epochs\":10,\"message\":\"half way\"}")
                + "; sleep 30");

        for (String id : List.of(viaMarkers, viaApi)) {
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> progress(id).get("step").isNumber());
        }
        JsonNode fromMarkers = progress(viaMarkers);
        JsonNode fromApi = progress(viaApi);
        for (String field : List.of("percent", "step", "total_steps", "epoch", "total_epochs", "message", "state")) {
            assertThat(fromMarkers.get(field)).as(field).isEqualTo(fromApi.get(field));
        }
        assertThat(fromMarkers.get("percent").asDouble()).isEqualTo(40.0);
        assertThat(fromMarkers.get("message").asText()).isEqualTo("half way");
        server.post("/api/jobs/" + viaMarkers + "/stop", "", admin);
        server.post("/api/jobs/" + viaApi + "/stop", "", admin);
    }

    @Test
    void percentIsOneHundredOnlyOnceTheJobCompletedAndTheEtaFollowsTheRate() {
        String id = started("echo '::trainyard progress percent=10'; sleep 1; echo '::trainyard progress percent=20';"
                + " sleep 1; echo '::trainyard progress percent=100'; sleep 2");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> progress(id).get("percent").asDouble() > 20);
        JsonNode running = progress(id);
        assertThat(running.get("state").asText()).isEqualTo("RUNNING");
        assertThat(running.get("percent").asDouble()).isLessThan(100.0);
        assertThat(running.get("eta_seconds").asLong()).isBetween(0L, 5L);

        JsonNode ended = awaitEnd(server, admin, id);
        assertThat(ended.get("state").asText()).isEqualTo("COMPLETED");
        assertThat(ended.get("progress").asDouble()).isEqualTo(100.0);
        assertThat(progress(id).get("percent").asDouble()).isEqualTo(100.0);
        assertThat(progress(id).get("eta_seconds").asLong()).isZero();
    }

    @Test
    void malformedMarkersAreIgnoredAndStayInTheLog() {
        String id = submit(
                        server,
                        admin,
                        body(
                                project,
                                "echo '::trainyard progress percent=250'; echo '::trainyard metric loss=NaN';"
                                        + " echo '::trainyard progress step=oops'; echo '::trainyard bogus x=1';"
                                        + " echo '::trainyard metric loss=0.5 step=1'; echo '::trainyard progress percent=30'"))
                .get("id")
                .asText();
        awaitEnd(server, admin, id);

        String log = completeLog(server, admin, id);
        assertThat(log).contains("::trainyard progress percent=250", "::trainyard bogus x=1");
        JsonNode loss = server.get("/api/jobs/" + id + "/metrics/loss", admin).json();
        assertThat(loss.get("total_points").asLong()).isEqualTo(1);
        assertThat(loss.get("points").get(0).get("value").asDouble()).isEqualTo(0.5);
        assertThat(loss.get("points").get(0).get("step").asLong()).isEqualTo(1);
        // Percent 30 (COMPLETED shows 100); the step stays unset: "step=oops" was ignored.
        JsonNode progress = progress(id);
        assertThat(progress.get("step").isNull()).isTrue();
        assertThat(progress.get("percent").asDouble()).isEqualTo(100.0);
    }

    @Test
    void aJobTokenReportsOnItsOwnJobOnly() {
        String victim = started("sleep 30");
        String snoop = submit(
                        server,
                        admin,
                        body(
                                project,
                                "curl -s -o /dev/null -w 'other=%{http_code}\\n' -X POST -H 'Content-Type: application/json'"
                                        + " -H \"Authorization: Bearer $TRAINYARD_JOB_TOKEN\" -d '{\"percent\":5}'"
                                        + " \"$TRAINYARD_URL/api/jobs/" + victim + "/progress\";"
                                        + " curl -s -o /dev/null -w 'read=%{http_code}\\n'"
                                        + " -H \"Authorization: Bearer $TRAINYARD_JOB_TOKEN\""
                                        + " \"$TRAINYARD_URL/api/jobs/$TRAINYARD_JOB_ID/progress\";"
                                        + " curl -s -o /dev/null -w 'jobs=%{http_code}\\n'"
                                        + " -H \"Authorization: Bearer $TRAINYARD_JOB_TOKEN\" \"$TRAINYARD_URL/api/jobs\";"
                                        + report("metrics", "[{\"name\":\"loss\",\"value\":1}]")))
                .get("id")
                .asText();
        awaitEnd(server, admin, snoop);

        String log = completeLog(server, admin, snoop);
        assertThat(log).contains("other=403", "read=403", "jobs=403", "metrics=200");
        assertThat(progress(victim).get("percent").isNull()).isTrue();
        server.post("/api/jobs/" + victim + "/stop", "", admin);
    }

    @Test
    void anEndedJobTakesNoMoreReports() {
        String id = submit(server, admin, body(project, "true")).get("id").asText();
        awaitEnd(server, admin, id);

        HttpResponse late = server.post("/api/jobs/" + id + "/progress", "{\"percent\":5}", admin);
        assertThat(late.status()).isEqualTo(409);
    }

    @Test
    void metricBatchesAreBoundedAndValidatedAsAWhole() {
        String id = started("sleep 30");
        String path = "/api/jobs/" + id + "/metrics";

        StringBuilder tooMany = new StringBuilder("[");
        for (int i = 0; i <= 1_000; i++) {
            tooMany.append(i == 0 ? "" : ",")
                    .append("{\"name\":\"x\",\"value\":")
                    .append(i)
                    .append('}');
        }
        assertThat(server.post(path, tooMany.append(']').toString(), admin).status())
                .isEqualTo(413);
        HttpResponse bad =
                server.post(path, "[{\"name\":\"ok\",\"value\":1},{\"name\":\"bad name\",\"value\":2}]", admin);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body()).contains("[1].name").doesNotContain("Exception");
        assertThat(server.post(path, "[{\"name\":\"ok\",\"value\":\"high\"}]", admin)
                        .status())
                .isEqualTo(400);
        assertThat(server.post(path, "[{\"name\":\"ok\"}]", admin).status()).isEqualTo(400);
        assertThat(server.post(path, "{\"name\":\"ok\",\"value\":1}", admin).status())
                .isEqualTo(400);
        assertThat(server.get(path, admin).json().get("metrics").toString()).doesNotContain("\"ok\"");

        HttpResponse accepted = server.post(
                path,
                "[{\"name\":\"ok\",\"value\":1,\"step\":1},{\"name\":\"ok\",\"value\":2,\"step\":2,"
                        + "\"time\":\"2026-11-23T10:00:00Z\"}]",
                admin);
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(200);
        assertThat(accepted.json().get("metrics").toString()).contains("\"ok\"");
        server.post("/api/jobs/" + id + "/stop", "", admin);
    }

    @Test
    void longSeriesAreDownsampledKeepingTheirExtremesOnBothPaths() {
        String id = started("sleep 30");
        for (int batch = 0; batch < 5; batch++) {
            StringBuilder points = new StringBuilder("[");
            for (int i = 0; i < 1_000; i++) {
                int n = batch * 1_000 + i;
                double value = n == 3_210 ? 1e6 : n == 4_321 ? -1e6 : Math.sin(n / 50.0);
                points.append(i == 0 ? "" : ",")
                        .append("{\"name\":\"signal\",\"value\":")
                        .append(value)
                        .append(",\"step\":")
                        .append(n)
                        .append('}');
            }
            assertThat(server.post(
                                    "/api/jobs/" + id + "/metrics",
                                    points.append(']').toString(),
                                    admin)
                            .status())
                    .isEqualTo(200);
        }

        for (String path : List.of(
                "/api/jobs/" + id + "/metrics/signal?max_points=100",
                "/api/metrics/signal?job_id=" + id + "&max_points=100")) {
            JsonNode series = server.get(path, admin).json();
            assertThat(series.get("total_points").asLong()).isEqualTo(5_000);
            assertThat(series.get("downsampled").asBoolean()).isTrue();
            List<Double> values = StreamSupport.stream(series.get("points").spliterator(), false)
                    .map(point -> point.get("value").asDouble())
                    .toList();
            assertThat(values).hasSizeLessThanOrEqualTo(100).contains(1e6, -1e6);
        }
        assertThat(server.get("/api/metrics/signal", admin).status()).isEqualTo(400);
        assertThat(server.get("/api/jobs/" + id + "/metrics/signal?max_points=1", admin)
                        .status())
                .isEqualTo(400);
        assertThat(server.get("/api/jobs/" + id + "/metrics/signal?since=yesterday", admin)
                        .status())
                .isEqualTo(400);
        server.post("/api/jobs/" + id + "/stop", "", admin);
    }

    @Test
    void anotherOrganizationSeesNothing() {
        String id = started("echo '::trainyard progress percent=5'; echo '::trainyard metric loss=1'; sleep 30");
        TestServer.TestUser stranger = server.createUser("telemetry-stranger");

        for (String path : List.of(
                "/api/jobs/" + id + "/progress",
                "/api/jobs/" + id + "/metrics",
                "/api/jobs/" + id + "/metrics/loss",
                "/api/metrics/loss?job_id=" + id)) {
            assertThat(server.get(path, stranger.auth()).status()).as(path).isEqualTo(404);
        }
        assertThat(server.post("/api/jobs/" + id + "/progress", "{\"percent\":50}", stranger.auth())
                        .status())
                .isEqualTo(404);
        assertThat(server.post("/api/jobs/" + id + "/metrics", "[{\"name\":\"loss\",\"value\":9}]", stranger.auth())
                        .status())
                .isEqualTo(404);
        server.post("/api/jobs/" + id + "/stop", "", admin);
    }

    @Test
    void aJobBurningCpuAndHoldingMemoryShowsBothAndSummariesCarryThem() {
        // One core busy in a shell that holds a 100 MB string; it expires if the test fails midway.
        String id = submit(
                        server,
                        admin,
                        body(
                                project,
                                "x=$(head -c 100000000 /dev/zero | tr '\\0' a); while :; do :; done",
                                "expires",
                                "40s"))
                .get("id")
                .asText();
        awaitState(server, admin, id, "RUNNING");

        try {
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(300))
                    .until(() -> {
                        JsonNode cpu = server.get("/api/jobs/" + id + "/metrics/cpu", admin)
                                .json();
                        JsonNode memory = server.get("/api/jobs/" + id + "/metrics/memory", admin)
                                .json();
                        // Near one full core: the 2-core test machine runs the server and the test beside it.
                        return max(cpu) > 80 && max(memory) > 100e6;
                    });
        } finally {
            server.post("/api/jobs/" + id + "/stop", "", admin);
        }
        JsonNode names = server.get("/api/jobs/" + id + "/metrics", admin).json();
        assertThat(names.get("metrics").toString())
                .contains("cpu", "memory", "disk")
                .doesNotContain("gpu");
        JsonNode summary = StreamSupport.stream(
                        server.get("/api/jobs?project=" + project + "&take=100", admin)
                                .json()
                                .get("items")
                                .spliterator(),
                        false)
                .filter(job -> job.get("id").asText().equals(id))
                .findFirst()
                .orElseThrow();
        assertThat(summary.get("metrics").get("memory_usage").asDouble()).isGreaterThan(0.05);
        assertThat(summary.get("metrics").get("gpu_utilization").isNull()).isTrue();
    }

    @Test
    void followStreamsPointsAsTheyComeAndEndsWithTheJob() throws Exception {
        String id = started("for i in 1 2 3; do echo \"::trainyard metric loss=$i\"; sleep 0.3; done");
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create(server.baseUrl() + "/api/jobs/" + id + "/metrics/loss?follow=true"))
                .header("X-API-KEY", server.adminKey())
                .timeout(Duration.ofSeconds(30))
                .build();
        List<String> events = new ArrayList<>();
        try (HttpClient client = HttpClient.newHttpClient()) {
            client.send(request, java.net.http.HttpResponse.BodyHandlers.ofLines())
                    .body()
                    .filter(line -> line.startsWith("event: ") || line.startsWith("data: "))
                    .forEach(events::add);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        assertThat(events.stream().filter(line -> line.equals("event: point")).count())
                .isEqualTo(3);
        assertThat(events.getLast()).startsWith("data: {\"points\":3");
        assertThat(events).contains("event: end");
    }

    private static double max(JsonNode series) {
        double max = Double.NEGATIVE_INFINITY;
        if (series.get("points") == null) {
            return max;
        }
        for (JsonNode point : series.get("points")) {
            max = Math.max(max, point.get("value").asDouble());
        }
        return max;
    }
}
