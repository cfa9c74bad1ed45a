package dev.trainyard.server.credit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trainyard.server.testing.ServerProcess;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the server while jobs run and are metered every second: after the restart no period
 * is billed twice or lost, and each job's usage is its recorded run time at its price.
 */
class CreditCrashTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final HttpClient client = HttpClient.newHttpClient();
    private String key;

    @TempDir
    Path work;

    @Test
    void meteringSurvivesACrashWithoutBillingAnyPeriodTwice() throws Exception {
        Path dataDir = Files.createTempDirectory("trainyard-credit-crash-");
        // 36 credits a core-hour: 0.01 credit a second, so every period's bill is visible.
        Path prices = work.resolve("prices.json");
        Files.writeString(prices, "{\"cpu_core_hour\": 36, \"memory_gb_hour\": 0}");
        String[] args = {
            "--job-cpus",
            "4",
            "--job-memory-gb",
            "8",
            "--gpus",
            "none",
            "--stop-grace",
            "1s",
            "--metering-period",
            "1s",
            "--prices",
            prices.toString()
        };
        ServerProcess first = ServerProcess.start(dataDir, args);
        key = MAPPER.readTree(dataDir.resolve("initial-admin.json").toFile())
                .get("api_key")
                .asText();
        String project = call(first, "POST", "/api/projects", "{\"name\":\"crash\"}")
                .get("id")
                .asText();
        String endsWhileDown = submit(first, project, "sleep 4");
        String outlives = submit(first, project, "sleep 9");
        String failsEarly = submit(first, project, "sleep 1; exit 1");
        for (String id : List.of(endsWhileDown, outlives)) {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> call(first, "GET", "/api/jobs/" + id, null)
                            .get("state")
                            .asText()
                            .equals("RUNNING"));
        }
        // Let a few periods be billed, then crash mid-run.
        await().atMost(Duration.ofSeconds(30)).until(() -> usageEntries(first, outlives) >= 2);
        first.kill();
        Thread.sleep(4_000);

        ServerProcess second = ServerProcess.start(dataDir, args);
        try {
            for (String id : List.of(endsWhileDown, outlives, failsEarly)) {
                JsonNode job = awaitSettled(second, id);
                long runMillis = Instant.parse(job.get("finished_at").asText()).toEpochMilli()
                        - Instant.parse(job.get("started_at").asText()).toEpochMilli();
                BigDecimal expected = CreditsApiTest.costOf(new BigDecimal("36"), runMillis);
                assertThat(usage(second, id)).as(id).isEqualByComparingTo(expected.negate());
                assertThat(job.get("total_cost").decimalValue()).as(id).isEqualByComparingTo(expected);
            }
            assertThat(call(second, "GET", "/api/jobs/" + outlives, null)
                            .get("state")
                            .asText())
                    .isEqualTo("COMPLETED");
            JsonNode report = call(second, "GET", "/api/admin/ledger/verify", null);
            assertThat(report.get("consistent").asBoolean())
                    .as(report.toString())
                    .isTrue();
            JsonNode balance = call(second, "GET", "/api/credits/balance", null);
            assertThat(balance.get("reserved").decimalValue()).isEqualByComparingTo("0");
        } finally {
            second.kill();
        }
    }

    private JsonNode awaitSettled(ServerProcess server, String id) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    last[0] = call(server, "GET", "/api/jobs/" + id, null);
                    return Set.of("COMPLETED", "FAILED", "STOPPED", "LOST")
                                    .contains(last[0].get("state").asText())
                            && usage(server, id)
                                            .negate()
                                            .compareTo(last[0].get("total_cost").decimalValue())
                                    == 0;
                });
        return last[0];
    }

    private long usageEntries(ServerProcess server, String id) throws Exception {
        return call(server, "GET", "/api/credits/transactions?type=usage&job=" + id, null)
                .get("total")
                .asLong();
    }

    private BigDecimal usage(ServerProcess server, String id) throws Exception {
        BigDecimal sum = BigDecimal.ZERO;
        for (JsonNode entry : call(server, "GET", "/api/credits/transactions?type=usage&take=500&job=" + id, null)
                .get("items")) {
            sum = sum.add(entry.get("amount").decimalValue());
        }
        return sum;
    }

    private String submit(ServerProcess server, String project, String command) throws Exception {
        return call(
                        server,
                        "POST",
                        "/api/jobs",
                        "{\"project\":\"" + project + "\",\"run_command\":\"" + command
                                + "\",\"cpu_cores\":1,\"memory_gb\":1}")
                .get("id")
                .asText();
    }

    private JsonNode call(ServerProcess server, String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                .header("X-API-KEY", key)
                .header("Content-Type", "application/json");
        request.method(
                method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> answer = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() >= 300) {
            throw new AssertionError(method + " " + path + ": " + answer.statusCode() + " " + answer.body());
        }
        return MAPPER.readTree(answer.body());
    }
}
