package dev.trainyard.server.job;

import static dev.trainyard.server.job.JobTesting.awaitEnd;
import static dev.trainyard.server.job.JobTesting.awaitState;
import static dev.trainyard.server.job.JobTesting.body;
import static dev.trainyard.server.job.JobTesting.project;
import static dev.trainyard.server.job.JobTesting.submit;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trainyard.server.testing.HttpResponse;
import dev.trainyard.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class JobLogsTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int LINES = 1_000_000;

    private static TestServer server;
    private static String[] admin;
    private static String project;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        admin = new String[] {"X-API-KEY", server.adminKey()};
        project = project(server, admin, "logs");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aMillionLinesArePagedAndFollowedCompletely() throws Exception {
        String id =
                submit(server, admin, body(project, "seq 1 " + LINES)).get("id").asText();
        CompletableFuture<FollowResult> followed = CompletableFuture.supplyAsync(() -> follow(id, 0));

        assertThat(awaitEnd(server, admin, id).get("state").asText()).isEqualTo("COMPLETED");
        FollowResult result = followed.get(120, TimeUnit.SECONDS);

        // Line 0 is the executor's note; then 1 .. 1,000,000 in order.
        assertThat(result.lines()).isEqualTo(LINES + 1L);
        assertThat(result.lastText()).isEqualTo(Integer.toString(LINES));
        assertThat(result.ended()).isTrue();

        long offset = 0;
        long seen = 0;
        long expectedNumber = 1;
        while (true) {
            JsonNode page = server.get("/api/jobs/" + id + "/logs?offset=" + offset + "&limit=10000", admin)
                    .json();
            for (JsonNode line : page.get("lines")) {
                assertThat(line.get("line").asLong()).isEqualTo(seen);
                if (seen > 0) {
                    assertThat(line.get("text").asText()).isEqualTo(Long.toString(expectedNumber++));
                }
                seen++;
            }
            offset = page.get("next_offset").asLong();
            if (page.get("complete").asBoolean()) {
                break;
            }
        }
        assertThat(seen).isEqualTo(LINES + 1L);

        JsonNode middle = server.get("/api/jobs/" + id + "/logs?offset=654321&limit=3", admin)
                .json();
        assertThat(middle.get("lines"))
                .extracting(line -> line.get("text").asText())
                .containsExactly("654321", "654322", "654323");
        assertThat(middle.get("next_offset").asLong()).isEqualTo(654324);
        assertThat(middle.get("complete").asBoolean()).isFalse();
    }

    @Test
    void plainTextAndOffsetsWork() {
        String id = submit(server, admin, body(project, "printf 'one\\ntwo\\nthree\\n'; printf 'oops\\n' >&2"))
                .get("id")
                .asText();
        awaitEnd(server, admin, id);
        JobTesting.completeLog(server, admin, id);

        HttpResponse text =
                server.get("/api/jobs/" + id + "/logs?offset=1&limit=3", "Accept", "text/plain", admin[0], admin[1]);
        assertThat(text.header("Content-Type")).startsWith("text/plain");
        assertThat(text.body().lines().toList()).containsExactlyInAnyOrder("one", "two", "three");
        assertThat(server.get("/api/jobs/" + id + "/logs?offset=-1", admin).status())
                .isEqualTo(400);
        assertThat(server.get("/api/jobs/" + id + "/logs?limit=0", admin).status())
                .isEqualTo(400);
        JsonNode past =
                server.get("/api/jobs/" + id + "/logs?offset=100", admin).json();
        assertThat(past.get("lines")).isEmpty();
        assertThat(past.get("complete").asBoolean()).isTrue();
    }

    @Test
    void followingFromAnOffsetStreamsNewLinesUntilTheJobEnds() {
        String id = submit(server, admin, body(project, "for i in 1 2 3 4 5; do echo tick-$i; sleep 0.2; done"))
                .get("id")
                .asText();
        awaitState(server, admin, id, "RUNNING", "COMPLETED");

        FollowResult result = follow(id, 2);

        assertThat(result.firstLine()).isEqualTo(2);
        assertThat(result.lastText()).isEqualTo("tick-5");
        assertThat(result.ended()).isTrue();
    }

    @Test
    void followingAQueuedJobWaitsForItsFirstLines() {
        String id = submit(server, admin, body(project, "echo late-start"))
                .get("id")
                .asText();

        FollowResult result = follow(id, 0);

        assertThat(result.lastText()).isEqualTo("late-start");
        assertThat(result.ended()).isTrue();
    }

    /** What a follower saw: how many line events, the first line number and last text, and the end event. */
    record FollowResult(long lines, long firstLine, String lastText, boolean ended) {}

    private static FollowResult follow(String jobId, long offset) {
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create(server.baseUrl() + "/api/jobs/" + jobId + "/logs?follow=true&offset=" + offset))
                .header("X-API-KEY", server.adminKey())
                .timeout(Duration.ofSeconds(120))
                .build();
        try {
            java.net.http.HttpResponse<Stream<String>> response =
                    client.send(request, java.net.http.HttpResponse.BodyHandlers.ofLines());
            assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
            long count = 0;
            long first = -1;
            String last = null;
            boolean ended = false;
            String event = null;
            Iterator<String> lines = response.body().iterator();
            while (lines.hasNext()) {
                String line = lines.next();
                if (line.startsWith("event: ")) {
                    event = line.substring(7);
                } else if (line.startsWith("data: ") && "line".equals(event)) {
                    JsonNode data = MAPPER.readTree(line.substring(6));
                    if (first < 0) {
                        first = data.get("line").asLong();
                    }
                    last = data.get("text").asText();
                    count++;
                } else if (line.startsWith("data: ") && "end".equals(event)) {
                    ended = true;
                    break;
                }
            }
            return new FollowResult(count, first, last, ended);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
