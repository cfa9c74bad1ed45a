package dev.trainyard.server.job;

import static dev.trainyard.server.job.JobTesting.awaitEnd;
import static dev.trainyard.server.job.JobTesting.awaitState;
import static dev.trainyard.server.job.JobTesting.body;
import static dev.trainyard.server.job.JobTesting.completeLog;
import static dev.trainyard.server.job.JobTesting.get;
import static dev.trainyard.server.job.JobTesting.project;
import static dev.trainyard.server.job.JobTesting.submit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trainyard.server.config.JobsConfig;
import dev.trainyard.server.testing.TestServer;
import dev.trainyard.server.testing.TestServer.TestUser;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Stopping, expiry, limits, queueing and isolation of real job processes. */
class JobControlTest {
    private static TestServer server;
    private static TestUser bob;
    private static String project;

    @BeforeAll
    static void start() {
        server = TestServer.start(config -> config.withJobs(
                JobsConfig.defaults().withCapacity(16, 8 * 1024, "none").withStopGrace(Duration.ofSeconds(3))));
        bob = server.createUser("bob");
        project = project(server, bob.auth(), "control");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void stoppingAJobThatTrapsSigtermLetsItCleanUp() {
        String id = submit(
                        server,
                        bob.auth(),
                        body(
                                project,
                                "trap 'echo caught-term; exit 0' TERM; echo ready; while true; do sleep 0.1; done"))
                .get("id")
                .asText();
        awaitLogContains(id, "ready");
        Instant stopAt = Instant.now();

        assertThat(server.post("/api/jobs/" + id + "/stop", null, bob.auth())
                        .json()
                        .get("state")
                        .asText())
                .isEqualTo("STOPPING");
        JsonNode ended = awaitEnd(server, bob.auth(), id);

        assertThat(ended.get("state").asText()).isEqualTo("STOPPED");
        assertThat(ended.get("reason").asText()).isEqualTo("stopped_by_user");
        assertThat(Duration.between(stopAt, Instant.now())).isLessThan(Duration.ofSeconds(3));
        assertThat(completeLog(server, bob.auth(), id)).contains("caught-term");
    }

    @Test
    void stoppingAJobThatIgnoresSigtermKillsItAfterTheGracePeriod() {
        String id = submit(
                        server, bob.auth(), body(project, "trap '' TERM; echo ready; while true; do sleep 0.1; done"))
                .get("id")
                .asText();
        awaitLogContains(id, "ready");
        Instant stopAt = Instant.now();

        server.post("/api/jobs/" + id + "/stop", null, bob.auth());
        JsonNode ended = awaitEnd(server, bob.auth(), id);

        assertThat(ended.get("state").asText()).isEqualTo("STOPPED");
        assertThat(Duration.between(stopAt, Instant.now())).isGreaterThanOrEqualTo(Duration.ofMillis(2_900));
    }

    @Test
    void stoppingKillsChildrenAndGrandchildrenEvenWhenTheyLeaveTheSession() throws Exception {
        String marker = "4" + Math.abs(UUID.randomUUID().getMostSignificantBits() % 100_000) + ".25";
        String id = submit(
                        server,
                        bob.auth(),
                        body(
                                project,
                                "sleep " + marker + " & (sleep " + marker + " &) ; setsid sleep " + marker
                                        + " & echo ready; wait"))
                .get("id")
                .asText();
        awaitLogContains(id, "ready");
        await().atMost(Duration.ofSeconds(10)).until(() -> processesWith(marker) >= 3);

        server.post("/api/jobs/" + id + "/stop", null, bob.auth());
        awaitEnd(server, bob.auth(), id);

        await().atMost(Duration.ofSeconds(10)).until(() -> processesWith(marker) == 0);
    }

    @Test
    void backgroundProcessesDoNotOutliveACompletedJob() throws Exception {
        String marker = "5" + Math.abs(UUID.randomUUID().getMostSignificantBits() % 100_000) + ".5";
        String id = submit(server, bob.auth(), body(project, "(setsid sleep " + marker + " &); echo left-behind"))
                .get("id")
                .asText();

        assertThat(awaitEnd(server, bob.auth(), id).get("state").asText()).isEqualTo("COMPLETED");

        await().atMost(Duration.ofSeconds(10)).until(() -> processesWith(marker) == 0);
    }

    @Test
    void expiredJobIsStoppedAsExpired() {
        String id = submit(server, bob.auth(), body(project, "sleep 60", "expires", "2s"))
                .get("id")
                .asText();

        JsonNode running = awaitState(server, bob.auth(), id, "RUNNING");
        assertThat(running.get("expires_at").isNull()).isFalse();
        JsonNode ended = awaitEnd(server, bob.auth(), id);

        assertThat(ended.get("state").asText()).isEqualTo("EXPIRED");
        assertThat(ended.get("reason").asText()).isEqualTo("expired");
    }

    @Test
    void memoryHogFailsWithOutOfMemory() {
        String id = submit(
                        server,
                        bob.auth(),
                        body(
                                project,
                                "python3 -c 'import time; a = bytearray(400 * 1024 * 1024); time.sleep(60)'",
                                "memory_gb",
                                0.1))
                .get("id")
                .asText();

        JsonNode ended = awaitEnd(server, bob.auth(), id);

        assertThat(ended.get("state").asText()).isEqualTo("FAILED");
        assertThat(ended.get("reason").asText()).isEqualTo("out_of_memory");
    }

    @Test
    void diskHogFailsWithDiskQuotaExceeded() {
        String id = submit(
                        server,
                        bob.auth(),
                        body(project, "head -c 20000000 /dev/zero > big.bin; sleep 60", "hdd_size_mb", 5))
                .get("id")
                .asText();

        JsonNode ended = awaitEnd(server, bob.auth(), id);

        assertThat(ended.get("state").asText()).isEqualTo("FAILED");
        assertThat(ended.get("reason").asText()).isEqualTo("disk_quota_exceeded");
    }

    @Test
    void aStopRightAfterSubmitIsNeverLostWhileTheSchedulerStartsTheJob() {
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 15; i++) {
            String id = submit(server, bob.auth(), body(project, "sleep 30"))
                    .get("id")
                    .asText();
            assertThat(server.post("/api/jobs/" + id + "/stop", "", bob.auth()).status())
                    .isEqualTo(200);
            ids.add(id);
        }
        for (String id : ids) {
            assertThat(awaitEnd(server, bob.auth(), id).get("state").asText())
                    .as(id)
                    .isEqualTo("STOPPED");
        }
    }

    @Test
    void stoppingAQueuedJobEndsItAtOnce() {
        String blocker = submit(server, bob.auth(), body(project, "sleep 60", "cpu_cores", 16))
                .get("id")
                .asText();
        awaitState(server, bob.auth(), blocker, "RUNNING");
        String id = submit(server, bob.auth(), body(project, "echo never", "cpu_cores", 16))
                .get("id")
                .asText();
        assertThat(get(server, bob.auth(), id).get("state").asText()).isEqualTo("QUEUED");

        JsonNode stopped =
                server.post("/api/jobs/" + id + "/stop", null, bob.auth()).json();

        assertThat(stopped.get("state").asText()).isEqualTo("STOPPED");
        assertThat(stopped.get("started_at").isNull()).isTrue();
        assertThat(server.post("/api/jobs/" + id + "/stop", null, bob.auth()).status())
                .isEqualTo(409);
        server.post("/api/jobs/" + blocker + "/stop", null, bob.auth());
        awaitEnd(server, bob.auth(), blocker);
    }

    @Test
    void jobsCannotReadTheServersDataOrEachOthersFolders() {
        String dataDir = server.dataDir().toString();
        String victim = submit(server, bob.auth(), body(project, "echo private > secret.txt; sleep 30"))
                .get("id")
                .asText();
        awaitState(server, bob.auth(), victim, "RUNNING");
        String snoop = submit(
                        server,
                        bob.auth(),
                        body(
                                project,
                                "for f in " + dataDir + "/trainyard.db " + dataDir + "/trainyard.db-wal " + dataDir
                                        + "/keys/jwt-signing-key.json "
                                        + dataDir + "/initial-admin.json " + dataDir + "/jobs/" + victim
                                        + "/work/secret.txt; do "
                                        + "if cat $f > /dev/null 2>&1; then echo READ $f; else echo DENIED $f; fi; done; "
                                        + "ls " + dataDir
                                        + " > /dev/null 2>&1 && echo LISTED || echo NOT-LISTED; id -u"))
                .get("id")
                .asText();

        assertThat(awaitEnd(server, bob.auth(), snoop).get("state").asText()).isEqualTo("COMPLETED");
        String log = completeLog(server, bob.auth(), snoop);
        assertThat(log)
                .doesNotContain("READ ")
                .contains("DENIED " + dataDir + "/trainyard.db")
                .contains("NOT-LISTED");
        assertThat(log.lines().filter(line -> line.matches("\\d+")).findFirst().orElseThrow())
                .isNotEqualTo("0");
        server.post("/api/jobs/" + victim + "/stop", null, bob.auth());
        awaitEnd(server, bob.auth(), victim);
    }

    private static void awaitLogContains(String jobId, String text) {
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> server.get("/api/jobs/" + jobId + "/logs", bob.auth())
                        .body()
                        .contains(text));
    }

    private static long processesWith(String marker) throws IOException, InterruptedException {
        Process pgrep = new ProcessBuilder("pgrep", "-f", "sleep " + marker).start();
        long count = new String(pgrep.getInputStream().readAllBytes()).lines().count();
        pgrep.waitFor();
        return count;
    }
}
