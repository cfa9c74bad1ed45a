package dev.trainyard.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trainyard.server.account.InitialAdmin;
import dev.trainyard.server.config.ServerConfig;
import dev.trainyard.server.testing.HttpResponse;
import dev.trainyard.server.testing.PostgresTestDatabase;
import dev.trainyard.server.testing.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real server on PostgreSQL: first start, a project, then a restart on the same data folder
 * and database. Uses a fresh {@code trainyard_test_<random>} database on the server that {@link
 * PostgresTestDatabase} describes (default 127.0.0.1:5432, overridable with {@code
 * TRAINYARD_TEST_POSTGRES_URL}); skipped when PostgreSQL is unreachable unless {@code
 * -Dtrainyard.requirePostgres=true} or {@code TRAINYARD_REQUIRE_POSTGRES=1}.
 */
final class PostgresServerTest {
    @BeforeEach
    void requirePostgres() {
        PostgresTestDatabase.assumeReachable("PostgreSQL server test");
    }

    @Test
    void serverKeepsItsStateInPostgresAcrossARestart() throws IOException {
        try (PostgresTestDatabase postgres = PostgresTestDatabase.create()) {
            UnaryOperator<ServerConfig> onPostgres = config -> config.withDatabase(postgres.config());
            TestServer server = TestServer.start(onPostgres);
            Path dataDir = server.dataDir();
            try {
                Path initialAdmin = dataDir.resolve(InitialAdmin.FILE_NAME);
                assertThat(initialAdmin)
                        .as("the first start writes the administrator's secrets")
                        .exists();
                assertThat(dataDir.resolve("trainyard.db"))
                        .as("no SQLite file when the server runs on PostgreSQL")
                        .doesNotExist();
                byte[] secrets = Files.readAllBytes(initialAdmin);
                String adminKey = server.adminKey();
                String bearer = "Bearer " + server.tokenFor(adminKey);

                HttpResponse created = server.post("/api/projects", "{\"name\":\"x\"}", "Authorization", bearer);
                assertThat(created.status()).as(created.toString()).isEqualTo(201);
                String projectId = created.json().get("id").asText();
                assertThat(projectIds(server, bearer)).containsExactly(projectId);

                server.stop();
                server = null;
                server = TestServer.start(dataDir, onPostgres);

                assertThat(Files.readAllBytes(initialAdmin))
                        .as("a restart leaves initial-admin.json alone")
                        .isEqualTo(secrets);
                assertThat(server.adminKey()).isEqualTo(adminKey);
                String newBearer = "Bearer " + server.tokenFor(adminKey);
                assertThat(projectIds(server, newBearer)).containsExactly(projectId);
                HttpResponse project = server.get("/api/projects/" + projectId, "Authorization", newBearer);
                assertThat(project.status()).as(project.toString()).isEqualTo(200);
                assertThat(project.json().get("name").asText()).isEqualTo("x");
            } finally {
                if (server != null) {
                    server.stop();
                }
                TestServer.deleteRecursively(dataDir);
            }
        }
    }

    @Test
    void jobsRunAndAreListedOnPostgres() {
        try (PostgresTestDatabase postgres = PostgresTestDatabase.create();
                TestServer server = TestServer.start(config -> config.withDatabase(postgres.config()))) {
            String[] admin = {"X-API-KEY", server.adminKey()};
            String project = server.post("/api/projects", "{\"name\":\"pg-jobs\"}", admin)
                    .json()
                    .get("id")
                    .asText();
            HttpResponse submitted = server.post(
                    "/api/jobs",
                    "{\"project\":\"" + project + "\",\"run_command\":\"echo on-postgres\",\"tags\":[\"pg\"]}",
                    "Idempotency-Key",
                    "pg-1",
                    admin[0],
                    admin[1]);
            assertThat(submitted.status()).as(submitted.toString()).isEqualTo(201);
            String job = submitted.json().get("id").asText();

            org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> server.get("/api/jobs/" + job, admin)
                            .json()
                            .get("state")
                            .asText()
                            .equals("COMPLETED"));

            assertThat(server.get("/api/jobs?status=completed&tag=pg&project=" + project, admin)
                            .json()
                            .get("total")
                            .asInt())
                    .isEqualTo(1);
            assertThat(server.get("/api/jobs/" + job + "/logs", admin).body()).contains("on-postgres");
        }
    }

    private static List<String> projectIds(TestServer server, String bearer) {
        HttpResponse listed = server.get("/api/projects?take=5", "Authorization", bearer);
        assertThat(listed.status()).as(listed.toString()).isEqualTo(200);
        JsonNode page = listed.json();
        assertThat(page.get("total").asLong()).isEqualTo(page.get("items").size());
        assertThat(page.get("take").asInt()).isEqualTo(5);
        return page.get("items")
                .valueStream()
                .map(item -> item.get("id").asText())
                .toList();
    }
}
