package dev.trainyard.server.credit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trainyard.server.config.CreditsConfig;
import dev.trainyard.server.config.JobsConfig;
import dev.trainyard.server.testing.HttpResponse;
import dev.trainyard.server.testing.TestServer;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A job whose organization runs out of credits is stopped, billed for what it ran, and no more start. */
class CreditExhaustionTest {
    @TempDir
    Path work;

    @Test
    void aJobIsStoppedWhenTheNextPeriodCannotBePaid() throws Exception {
        // One core costs a credit a second; an organization opens with 3 credits; a period is 0.5 s.
        Path prices = work.resolve("prices.json");
        Files.writeString(prices, "{\"cpu_core_hour\": 3600, \"memory_gb_hour\": 0}");
        try (TestServer server = TestServer.start(config -> config.withJobs(
                        JobsConfig.defaults().withCapacity(4, 4096, "none").withStopGrace(Duration.ZERO))
                .withCredits(new CreditsConfig(3_000_000L, Duration.ofMillis(500), prices)))) {
            TestServer.TestUser spender = server.createUser("spender");
            String project = server.post("/api/projects", "{\"name\":\"spend\"}", spender.auth())
                    .json()
                    .get("id")
                    .asText();
            String body = "{\"project\":\"" + project + "\",\"run_command\":\"sleep 60\",\"cpu_cores\":1}";
            String id = server.post("/api/jobs", body, spender.auth())
                    .json()
                    .get("id")
                    .asText();

            JsonNode[] job = new JsonNode[1];
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        job[0] = server.get("/api/jobs/" + id, spender.auth()).json();
                        return job[0].get("state").asText().equals("STOPPED");
                    });
            assertThat(job[0].get("reason").asText()).isEqualTo("credits_exhausted");
            long runMillis = Instant.parse(job[0].get("finished_at").asText()).toEpochMilli()
                    - Instant.parse(job[0].get("started_at").asText()).toEpochMilli();
            assertThat(runMillis).isBetween(2_000L, 6_000L);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> server.get("/api/credits/balance", spender.auth())
                                    .json()
                                    .get("reserved")
                                    .decimalValue()
                                    .signum()
                            == 0);
            BigDecimal billed = BigDecimal.ZERO;
            for (JsonNode entry : server.get("/api/credits/transactions?type=usage&take=500&job=" + id, spender.auth())
                    .json()
                    .get("items")) {
                billed = billed.add(entry.get("amount").decimalValue());
            }
            assertThat(billed.negate()).isEqualByComparingTo(CreditsApiTest.costOf(new BigDecimal("3600"), runMillis));

            HttpResponse refused = server.post("/api/jobs", body, spender.auth());
            assertThat(refused.status()).isEqualTo(402);
            assertThat(refused.json().get("code").asText()).isEqualTo("insufficient_credits");
            JsonNode report = server.get("/api/admin/ledger/verify", "X-API-KEY", server.adminKey())
                    .json();
            assertThat(report.get("consistent").asBoolean()).isTrue();
        }
    }
}
