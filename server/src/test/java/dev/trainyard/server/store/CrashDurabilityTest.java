package dev.trainyard.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trainyard.server.config.DatabaseConfig;
import dev.trainyard.server.testing.ServerProcess;
import dev.trainyard.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CrashDurabilityTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void everyAcknowledgedWriteSurvivesKillDashNine() throws Exception {
        Path dataDir = Files.createTempDirectory("trainyard-crash-");
        try {
            ServerProcess first = ServerProcess.start(dataDir);
            String key = MAPPER.readTree(dataDir.resolve("initial-admin.json").toFile())
                    .get("api_key")
                    .asText();
            List<String> acknowledged = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                HttpResponse<String> created = client.send(
                        HttpRequest.newBuilder(URI.create(first.baseUrl() + "/api/projects"))
                                .header("X-API-KEY", key)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"crash-" + i + "\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(created.statusCode()).isEqualTo(201);
                acknowledged.add(MAPPER.readTree(created.body()).get("id").asText());
            }

            first.kill();
            ServerProcess second = ServerProcess.start(dataDir);
            try {
                HttpResponse<String> listed = client.send(
                        HttpRequest.newBuilder(URI.create(second.baseUrl() + "/api/projects?take=500"))
                                .header("X-API-KEY", key)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                List<String> ids = new ArrayList<>();
                JsonNode items = MAPPER.readTree(listed.body()).get("items");
                items.forEach(item -> ids.add(item.get("id").asText()));
                assertThat(ids).containsAll(acknowledged);
                assertThat(second.output()).noneMatch(line -> line.contains("initial-admin.json"));
            } finally {
                second.stop(Duration.ofSeconds(10));
            }
        } finally {
            TestServer.deleteRecursively(dataDir);
        }
    }

    @Test
    void sqliteRunsInWalModeWithFullSync() throws Exception {
        Path dataDir = Files.createTempDirectory("trainyard-pragma-");
        try (Database database = Database.open(DatabaseConfig.sqliteIn(dataDir))) {
            String journalMode = database.write(handle -> handle.createQuery("PRAGMA journal_mode")
                    .mapTo(String.class)
                    .one());
            int writerSync = database.write(handle -> handle.createQuery("PRAGMA synchronous")
                    .mapTo(Integer.class)
                    .one());
            int readerSync = database.read(handle -> handle.createQuery("PRAGMA synchronous")
                    .mapTo(Integer.class)
                    .one());
            assertThat(journalMode).isEqualToIgnoringCase("wal");
            // 2 = FULL: the WAL is synced on every commit, on the writer and the readers alike.
            assertThat(writerSync).isEqualTo(2);
            assertThat(readerSync).isEqualTo(2);
        } finally {
            TestServer.deleteRecursively(dataDir);
        }
    }
}
