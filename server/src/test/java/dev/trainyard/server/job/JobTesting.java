package dev.trainyard.server.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trainyard.server.testing.HttpResponse;
import dev.trainyard.server.testing.TestServer;
import java.time.Duration;
import java.util.Set;

/** Submitting and waiting on jobs in tests. */
final class JobTesting {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final Set<String> TERMINAL = Set.of("COMPLETED", "FAILED", "STOPPED", "EXPIRED", "LOST");

    private JobTesting() {}

    static String project(TestServer server, String[] auth, String name) {
        HttpResponse created = server.post("/api/projects", "{\"name\":\"" + name + "\"}", auth);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("id").asText();
    }

    /** A submission body: the project and run command, plus any extra fields. */
    static String body(String project, String runCommand, Object... fields) {
        ObjectNode body = MAPPER.createObjectNode().put("project", project).put("run_command", runCommand);
        for (int i = 0; i < fields.length; i += 2) {
            body.set((String) fields[i], MAPPER.valueToTree(fields[i + 1]));
        }
        return body.toString();
    }

    static JsonNode submit(TestServer server, String[] auth, String body) {
        HttpResponse created = server.post("/api/jobs", body, auth);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json();
    }

    static JsonNode get(TestServer server, String[] auth, String jobId) {
        return server.get("/api/jobs/" + jobId, auth).json();
    }

    static JsonNode awaitState(TestServer server, String[] auth, String jobId, String... states) {
        Set<String> wanted = Set.of(states);
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    last[0] = get(server, auth, jobId);
                    return wanted.contains(last[0].get("state").asText());
                });
        return last[0];
    }

    static JsonNode awaitEnd(TestServer server, String[] auth, String jobId) {
        return awaitState(server, auth, jobId, TERMINAL.toArray(String[]::new));
    }

    /** The job's whole log as text, once the log is complete (the job ended and every line is in). */
    static String completeLog(TestServer server, String[] auth, String jobId) {
        String[] text = new String[1];
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    StringBuilder lines = new StringBuilder();
                    long offset = 0;
                    while (true) {
                        JsonNode page = server.get(
                                        "/api/jobs/" + jobId + "/logs?offset=" + offset + "&limit=10000", auth)
                                .json();
                        page.get("lines")
                                .forEach(line ->
                                        lines.append(line.get("text").asText()).append('\n'));
                        if (page.get("complete").asBoolean()) {
                            text[0] = lines.toString();
                            return true;
                        }
                        if (page.get("lines").isEmpty()) {
                            return false;
                        }
                        offset = page.get("next_offset").asLong();
                    }
                });
        return text[0];
    }
}
