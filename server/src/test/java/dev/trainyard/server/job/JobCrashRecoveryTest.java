package dev.trainyard.server.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trainyard.server.testing.ServerProcess;
import dev.trainyard.server.testing.TestServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** kill -9 of the server while jobs run: after a restart every job ends right, with its whole log. */
class JobCrashRecoveryTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Set<String> TERMINAL = Set.of("COMPLETED", "FAILED", "STOPPED", "EXPIRED", "LOST");
    private static final String[] ARGS = {
        "--job-cpus", "3", "--job-memory-gb", "8", "--gpus", "none", "--stop-grace", "2s"
    };

    private final HttpClient client = HttpClient.newHttpClient();
    private String key;

    @Test
    void jobsSurviveAServerCrashAndEndInTheRightState() throws Exception {
        Path dataDir = Files.createTempDirectory("trainyard-job-crash-");
        try {
            ServerProcess first = ServerProcess.start(dataDir, ARGS);
            key = MAPPER.readTree(dataDir.resolve("initial-admin.json").toFile())
                    .get("api_key")
                    .asText();
            String project = post(first, "/api/projects", "{\"name\":\"crash\"}")
                    .get("id")
                    .asText();

            String failed = submit(first, project, "echo failing; exit 5");
            awaitState(first, failed, TERMINAL);
            String endsWhileDown = submit(first, project, "echo a-start; sleep 2; echo a-done");
            String outlives = submit(first, project, "for i in $(seq 1 60); do echo b-$i; sleep 0.1; done");
            String vanishes = submit(first, project, "sleep 4711.5");
            String queued = submit(first, project, "echo e-ran");
            awaitState(first, endsWhileDown, Set.of("RUNNING"));
            awaitState(first, outlives, Set.of("RUNNING"));
            awaitState(first, vanishes, Set.of("RUNNING"));
            assertThat(get(first, "/api/jobs/" + queued).get("state").asText()).isEqualTo("QUEUED");

            first.kill();
            // While the server is down: one job finishes, one keeps running, one is killed with its wrapper.
            killWrapperAndJob(dataDir.resolve("jobs").resolve(vanishes), "sleep 4711.5");
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> Files.exists(
                            dataDir.resolve("jobs").resolve(endsWhileDown).resolve("exit_status")));

            ServerProcess second = ServerProcess.start(dataDir, ARGS);
            try {
                JsonNode a = awaitState(second, endsWhileDown, TERMINAL);
                assertThat(a.get("state").asText()).isEqualTo("COMPLETED");
                assertThat(a.get("exit_code").asInt()).isZero();
                assertThat(logText(second, endsWhileDown)).contains("a-start", "a-done");

                JsonNode b = awaitState(second, outlives, TERMINAL);
                assertThat(b.get("state").asText()).isEqualTo("COMPLETED");
                List<String> bLines = logText(second, outlives)
                        .lines()
                        .filter(line -> line.startsWith("b-"))
                        .toList();
                List<String> expected = new ArrayList<>();
                for (int i = 1; i <= 60; i++) {
                    expected.add("b-" + i);
                }
                assertThat(bLines).containsExactlyElementsOf(expected);

                JsonNode lost = awaitState(second, vanishes, TERMINAL);
                assertThat(lost.get("state").asText()).isEqualTo("LOST");

                JsonNode e = awaitState(second, queued, TERMINAL);
                assertThat(e.get("state").asText()).isEqualTo("COMPLETED");
                assertThat(e.get("transitions"))
                        .filteredOn(t -> t.get("to").asText().equals("STARTING"))
                        .hasSize(1);
                assertThat(logText(second, queued).lines().filter(line -> line.equals("e-ran")))
                        .hasSize(1);

                assertThat(get(second, "/api/jobs/" + failed).get("state").asText())
                        .isEqualTo("FAILED");
                for (String job : List.of(failed, endsWhileDown, outlives, vanishes, queued)) {
                    assertThat(get(second, "/api/jobs/" + job).get("transitions"))
                            .filteredOn(t -> t.get("to").asText().equals("RUNNING"))
                            .hasSizeLessThanOrEqualTo(1);
                }
            } finally {
                second.stop(Duration.ofSeconds(10));
            }
        } finally {
            TestServer.deleteRecursively(dataDir);
        }
    }

    private static void killWrapperAndJob(Path jobDir, String marker) throws Exception {
        long wrapper = Long.parseLong(
                Files.readString(jobDir.resolve("wrapper.pid")).trim().split(" ")[0]);
        ProcessHandle.of(wrapper).ifPresent(ProcessHandle::destroyForcibly);
        new ProcessBuilder("pkill", "-9", "-f", marker).start().waitFor();
    }

    private String submit(ServerProcess server, String project, String command) throws Exception {
        String body = MAPPER.createObjectNode()
                .put("project", project)
                .put("run_command", command)
                .put("cpu_cores", 1)
                .put("memory_gb", 0.5)
                .toString();
        return post(server, "/api/jobs", body).get("id").asText();
    }

    private JsonNode awaitState(ServerProcess server, String jobId, Set<String> states) {
        JsonNode[] job = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    job[0] = get(server, "/api/jobs/" + jobId);
                    return states.contains(job[0].get("state").asText());
                });
        return job[0];
    }

    private String logText(ServerProcess server, String jobId) throws Exception {
        JsonNode[] page = new JsonNode[1];
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            page[0] = get(server, "/api/jobs/" + jobId + "/logs?limit=10000");
            return page[0].get("complete").asBoolean();
        });
        StringBuilder text = new StringBuilder();
        page[0].get("lines")
                .forEach(line -> text.append(line.get("text").asText()).append('\n'));
        return text.toString();
    }

    private JsonNode get(ServerProcess server, String path) throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(
                HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                        .header("X-API-KEY", key)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return MAPPER.readTree(response.body());
    }

    private JsonNode post(ServerProcess server, String path, String body) throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(
                HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                        .header("X-API-KEY", key)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return MAPPER.readTree(response.body());
    }
}
