package dev.trainyard.server.credit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trainyard.server.config.CreditsConfig;
import dev.trainyard.server.config.JobsConfig;
import dev.trainyard.server.testing.HttpResponse;
import dev.trainyard.server.testing.TestServer;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Credits through the real server: balances, grants, prices, and jobs billed for their run time. */
class CreditsApiTest {
    static final Set<String> TERMINAL = Set.of("COMPLETED", "FAILED", "STOPPED", "EXPIRED", "LOST");

    private static TestServer server;
    private static String[] admin;

    @BeforeAll
    static void start() {
        server = TestServer.start(config -> config.withJobs(
                        JobsConfig.defaults().withCapacity(8, 8 * 1024, "none").withStopGrace(Duration.ofSeconds(1)))
                .withCredits(CreditsConfig.defaults().withMeteringPeriod(Duration.ofMillis(500))));
        admin = new String[] {"X-API-KEY", server.adminKey()};
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @AfterEach
    void ledgerStaysConsistent() {
        JsonNode report = server.get("/api/admin/ledger/verify", admin).json();
        assertThat(report.get("consistent").asBoolean()).as(report.toString()).isTrue();
    }

    @Test
    void aNewOrganizationOpensWithWelcomeCreditsAndSeesOnlyItsOwnLedger() {
        TestServer.TestUser alice = server.createUser("credit-alice");
        TestServer.TestUser bob = server.createUser("credit-bob");

        JsonNode balance = server.get("/api/credits/balance", alice.auth()).json();
        assertThat(balance.get("organization").asText()).isEqualTo(alice.personalOrganization());
        assertThat(balance.get("balance").decimalValue()).isEqualByComparingTo("1000");
        assertThat(balance.get("available").decimalValue()).isEqualByComparingTo("1000");
        assertThat(balance.get("currency").asText()).isEqualTo("credits");
        JsonNode transactions =
                server.get("/api/credits/transactions", alice.auth()).json();
        assertThat(transactions.get("total").asLong()).isEqualTo(1);
        assertThat(transactions.get("items").get(0).get("type").asText()).isEqualTo("grant");

        assertThat(server.get("/api/credits/balance?organization=" + alice.personalOrganization(), bob.auth())
                        .status())
                .isEqualTo(404);
        assertThat(server.get("/api/credits/transactions?organization=" + alice.personalOrganization(), bob.auth())
                        .status())
                .isEqualTo(404);
        assertThat(server.get("/api/credits/transactions?type=gift", alice.auth())
                        .status())
                .isEqualTo(400);
    }

    @Test
    void onlyAdministratorsGrantAndGrantsAreChecked() {
        TestServer.TestUser carol = server.createUser("credit-carol");
        String org = carol.personalOrganization();
        server.get("/api/credits/balance", carol.auth());

        HttpResponse denied = server.post(
                "/api/admin/credits/grants",
                "{\"organization\":\"" + org + "\",\"amount\":5,\"reason\":\"self\"}",
                carol.auth());
        assertThat(denied.status()).isEqualTo(403);
        for (String bad : new String[] {
            "{\"organization\":\"" + org + "\",\"amount\":-5,\"reason\":\"x\"}",
            "{\"organization\":\"" + org + "\",\"amount\":0.0000001,\"reason\":\"x\"}",
            "{\"organization\":\"" + org + "\",\"amount\":5}",
            "{\"amount\":5,\"reason\":\"x\"}"
        }) {
            assertThat(server.post("/api/admin/credits/grants", bad, admin).status())
                    .as(bad)
                    .isEqualTo(400);
        }
        assertThat(server.post(
                                "/api/admin/credits/grants",
                                "{\"organization\":\"o-doesnotexist01\",\"amount\":5,\"reason\":\"x\"}",
                                admin)
                        .status())
                .isEqualTo(404);

        HttpResponse granted = server.post(
                "/api/admin/credits/grants",
                "{\"organization\":\"" + org + "\",\"amount\":250.5,\"reason\":\"research grant\"}",
                admin);
        assertThat(granted.status()).as(granted.toString()).isEqualTo(201);
        assertThat(granted.json().get("balance_after").decimalValue()).isEqualByComparingTo("1250.5");
        assertThat(server.get("/api/credits/balance", carol.auth())
                        .json()
                        .get("balance")
                        .decimalValue())
                .isEqualByComparingTo("1250.5");
    }

    @Test
    void pricesAndTheSufficiencyCheck() {
        JsonNode prices = server.get("/api/credits/prices", admin).json();
        assertThat(prices.get("gpu_hour").get("H100").decimalValue()).isEqualByComparingTo("2.5");
        assertThat(prices.get("cpu_core_hour").decimalValue()).isEqualByComparingTo("0.02");

        JsonNode cheap =
                server.get("/api/credits/balance/sufficient?amount=10", admin).json();
        assertThat(cheap.get("sufficient").asBoolean()).isTrue();
        assertThat(cheap.get("required").decimalValue()).isEqualByComparingTo("10");
        // 8 H100 for 100 hours: 8 x 2.5 x 100 = 2000 for the GPUs alone, more than the 1000 welcome.
        JsonNode dear = server.get(
                        "/api/credits/balance/sufficient?gpu_type=H100&gpus=8&cpu_cores=4&memory_gb=16&hours=100",
                        admin)
                .json();
        assertThat(dear.get("sufficient").asBoolean()).isFalse();
        assertThat(dear.get("required").decimalValue()).isEqualByComparingTo("2016"); // + 4x0.02x100 + 16x0.005x100
        assertThat(server.get("/api/credits/balance/sufficient", admin).status())
                .isEqualTo(400);
        assertThat(server.get("/api/credits/balance/sufficient?amount=lots", admin)
                        .status())
                .isEqualTo(400);
    }

    @Test
    void aJobIsBilledExactlyForItsRunTimeWhateverHowItEnds() {
        TestServer.TestUser dave = server.createUser("credit-dave");
        String project = project(dave, "billing");
        String completes = submit(dave, project, "sleep 2", "");
        String fails = submit(dave, project, "sleep 1; exit 3", "");
        String stopped = submit(dave, project, "sleep 60", "");
        awaitState(dave, stopped, Set.of("RUNNING"));
        sleep(1_500);
        server.post("/api/jobs/" + stopped + "/stop", "", dave.auth());

        for (String id : new String[] {completes, fails, stopped}) {
            JsonNode job = awaitState(dave, id, TERMINAL);
            // cost_per_hour: 1 core x 0.02 + 1 GB x 0.005
            assertThat(job.get("cost_per_hour").decimalValue()).isEqualByComparingTo("0.025");
            JsonNode settled = awaitSettled(dave, id);
            long runMillis = Instant.parse(settled.get("finished_at").asText()).toEpochMilli()
                    - Instant.parse(settled.get("started_at").asText()).toEpochMilli();
            BigDecimal expected = costOf(new BigDecimal("0.025"), runMillis);
            assertThat(settled.get("total_cost").decimalValue()).as(id).isEqualByComparingTo(expected);
            assertThat(usage(dave, id)).as(id).isEqualByComparingTo(expected.negate());
        }
        JsonNode balance = server.get("/api/credits/balance", dave.auth()).json();
        assertThat(balance.get("reserved").decimalValue()).isEqualByComparingTo("0");
    }

    @Test
    void aLongRunIsBilledEveryPeriodAndStillAddsUpToItsRunTime() {
        TestServer.TestUser erin = server.createUser("credit-erin");
        String project = project(erin, "metered");
        String id = submit(erin, project, "sleep 3", ",\"cpu_cores\":4,\"memory_gb\":4");

        JsonNode job = awaitSettled(erin, id);
        JsonNode entries = server.get("/api/credits/transactions?type=usage&job=" + id, erin.auth())
                .json();
        assertThat(entries.get("total").asLong()).isGreaterThanOrEqualTo(3);
        long runMillis = Instant.parse(job.get("finished_at").asText()).toEpochMilli()
                - Instant.parse(job.get("started_at").asText()).toEpochMilli();
        assertThat(usage(erin, id))
                .isEqualByComparingTo(costOf(new BigDecimal("0.1"), runMillis).negate());
    }

    @Test
    void aJobStopsWhenItReachesItsMaxCost() {
        TestServer.TestUser frank = server.createUser("credit-frank");
        String project = project(frank, "budget");
        // 0.025 credits an hour: 0.000015 credits is 2.16 s of run time.
        String id = submit(frank, project, "sleep 60", ",\"max_cost\":0.000015");

        JsonNode job = awaitState(frank, id, TERMINAL);
        assertThat(job.get("state").asText()).isEqualTo("STOPPED");
        assertThat(job.get("reason").asText()).isEqualTo("budget_reached");
        assertThat(job.get("max_cost").decimalValue()).isEqualByComparingTo("0.000015");
        assertThat(server.post(
                                "/api/jobs",
                                "{\"project\":\"" + project + "\",\"run_command\":\"true\",\"max_cost\":-1}",
                                frank.auth())
                        .status())
                .isEqualTo(400);
    }

    // ---- helpers ------------------------------------------------------------------------------

    static BigDecimal costOf(BigDecimal perHour, long millis) {
        return perHour.multiply(BigDecimal.valueOf(millis))
                .divide(BigDecimal.valueOf(3_600_000L), 6, RoundingMode.HALF_UP);
    }

    private static String project(TestServer.TestUser user, String name) {
        HttpResponse created = server.post("/api/projects", "{\"name\":\"" + name + "\"}", user.auth());
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("id").asText();
    }

    private static String submit(TestServer.TestUser user, String project, String command, String extra) {
        HttpResponse created = server.post(
                "/api/jobs",
                "{\"project\":\"" + project + "\",\"run_command\":\"" + command + "\"" + extra + "}",
                user.auth());
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("id").asText();
    }

    private static JsonNode awaitState(TestServer.TestUser user, String id, Set<String> states) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    last[0] = server.get("/api/jobs/" + id, user.auth()).json();
                    return states.contains(last[0].get("state").asText());
                });
        return last[0];
    }

    /** The job once its last bill is in: its usage entries add up to its total cost. */
    private static JsonNode awaitSettled(TestServer.TestUser user, String id) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    last[0] = server.get("/api/jobs/" + id, user.auth()).json();
                    return TERMINAL.contains(last[0].get("state").asText())
                            && usage(user, id)
                                            .negate()
                                            .compareTo(last[0].get("total_cost").decimalValue())
                                    == 0;
                });
        return last[0];
    }

    private static BigDecimal usage(TestServer.TestUser user, String id) {
        BigDecimal sum = BigDecimal.ZERO;
        for (JsonNode entry : server.get("/api/credits/transactions?type=usage&take=500&job=" + id, user.auth())
                .json()
                .get("items")) {
            sum = sum.add(entry.get("amount").decimalValue());
        }
        return sum;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
