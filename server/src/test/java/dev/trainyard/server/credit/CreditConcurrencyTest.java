package dev.trainyard.server.credit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trainyard.server.config.CreditsConfig;
import dev.trainyard.server.config.JobsConfig;
import dev.trainyard.server.config.ServerConfig;
import dev.trainyard.server.testing.HttpResponse;
import dev.trainyard.server.testing.PostgresTestDatabase;
import dev.trainyard.server.testing.TestServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 200 submissions at once against a balance that pays for 10 first periods: at most 10 are
 * accepted, the rest are 402 with nothing created, and the balance never goes below zero.
 */
class CreditConcurrencyTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path work;

    @Test
    void onSqlite() throws Exception {
        race(config -> config);
    }

    @Test
    void onPostgres() throws Exception {
        PostgresTestDatabase.assumeReachable("credit race on PostgreSQL");
        try (PostgresTestDatabase postgres = PostgresTestDatabase.create()) {
            race(config -> config.withDatabase(postgres.config()));
        }
    }

    private void race(UnaryOperator<ServerConfig> database) throws Exception {
        // One core for an hour costs 1 credit, memory nothing, and a period is an hour: each job
        // holds exactly 1 credit of the 10 an organization opens with.
        Path prices = work.resolve("prices.json");
        Files.writeString(prices, "{\"cpu_core_hour\": 1, \"memory_gb_hour\": 0, \"other_gpu_hour\": 0}");
        try (TestServer server = TestServer.start(config -> database.apply(config)
                .withJobs(JobsConfig.defaults().withCapacity(4, 4096, "none").withStopGrace(Duration.ZERO))
                .withCredits(new CreditsConfig(10_000_000L, Duration.ofHours(1), prices)))) {
            TestServer.TestUser racer = server.createUser("racer");
            HttpResponse created = server.post("/api/projects", "{\"name\":\"race\"}", racer.auth());
            String project = created.json().get("id").asText();
            String body = "{\"project\":\"" + project + "\",\"run_command\":\"sleep 30\",\"cpu_cores\":1,"
                    + "\"memory_gb\":0.01}";

            List<CompletableFuture<java.net.http.HttpResponse<String>>> answers = new ArrayList<>();
            try (HttpClient client = HttpClient.newHttpClient()) {
                for (int i = 0; i < 200; i++) {
                    answers.add(client.sendAsync(
                            HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/jobs"))
                                    .header("X-API-KEY", racer.apiKey())
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(body))
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString()));
                }
                CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                        .join();
            }
            Map<Integer, Long> statuses = answers.stream()
                    .map(CompletableFuture::join)
                    .collect(Collectors.groupingBy(java.net.http.HttpResponse::statusCode, Collectors.counting()));
            assertThat(statuses).containsOnlyKeys(201, 402).containsEntry(201, 10L);
            JsonNode refused = answers.stream()
                    .map(CompletableFuture::join)
                    .filter(answer -> answer.statusCode() == 402)
                    .map(answer -> read(answer.body()))
                    .findFirst()
                    .orElseThrow();
            assertThat(refused.get("code").asText()).isEqualTo("insufficient_credits");
            assertThat(refused.get("required").decimalValue()).isEqualByComparingTo("1");
            assertThat(refused.get("available").decimalValue()).isEqualByComparingTo("0");

            JsonNode jobs = server.get("/api/jobs?take=500", racer.auth()).json();
            assertThat(jobs.get("total").asLong()).isEqualTo(10);
            JsonNode balance = server.get("/api/credits/balance", racer.auth()).json();
            assertThat(balance.get("balance").decimalValue()).isGreaterThanOrEqualTo(java.math.BigDecimal.ZERO);
            assertThat(balance.get("reserved").decimalValue()).isEqualByComparingTo("10");

            for (JsonNode job : jobs.get("items")) {
                server.post("/api/jobs/" + job.get("id").asText() + "/stop", "", racer.auth());
            }
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> server.get("/api/credits/balance", racer.auth())
                                    .json()
                                    .get("reserved")
                                    .decimalValue()
                                    .signum()
                            == 0);
            JsonNode after = server.get("/api/credits/balance", racer.auth()).json();
            assertThat(after.get("balance").decimalValue()).isGreaterThan(java.math.BigDecimal.valueOf(9));
            JsonNode report = server.get("/api/admin/ledger/verify", "X-API-KEY", server.adminKey())
                    .json();
            assertThat(report.get("consistent").asBoolean())
                    .as(report.toString())
                    .isTrue();
        }
    }

    private static JsonNode read(String body) {
        try {
            return MAPPER.readTree(body);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
