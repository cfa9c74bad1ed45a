package dev.trainyard.server.job;

import static dev.trainyard.server.job.JobTesting.awaitEnd;
import static dev.trainyard.server.job.JobTesting.awaitState;
import static dev.trainyard.server.job.JobTesting.body;
import static dev.trainyard.server.job.JobTesting.get;
import static dev.trainyard.server.job.JobTesting.project;
import static dev.trainyard.server.job.JobTesting.submit;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trainyard.server.config.JobsConfig;
import dev.trainyard.server.testing.TestServer;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SchedulingTest {
    @Test
    void queuesWhenTheHostIsFullAndStartsByPriorityThenAge() {
        try (TestServer server = TestServer.start(config -> config.withJobs(
                JobsConfig.defaults().withCapacity(2, 4096, "H100:1").withStopGrace(Duration.ofSeconds(1))))) {
            String[] admin = {"X-API-KEY", server.adminKey()};
            String project = project(server, admin, "queue");
            String blocker = submit(server, admin, body(project, "sleep 60", "cpu_cores", 2))
                    .get("id")
                    .asText();
            awaitState(server, admin, blocker, "RUNNING");

            String low = submit(server, admin, body(project, "true", "priority", 10))
                    .get("id")
                    .asText();
            String highOld = submit(server, admin, body(project, "true", "priority", 90))
                    .get("id")
                    .asText();
            String highNew = submit(server, admin, body(project, "true", "priority", 90))
                    .get("id")
                    .asText();
            String gpu = submit(server, admin, body(project, "true", "gpu_type", "H100", "gpus", 1, "priority", 95))
                    .get("id")
                    .asText();

            JsonNode queued = awaitPendingReason(server, admin, low);
            assertThat(queued.get("state").asText()).isEqualTo("QUEUED");
            JsonNode blockedGpu = awaitPendingReason(server, admin, gpu);
            assertThat(blockedGpu.get("pending_reason").asText()).contains("waiting for 1 CPU cores: 0 free");
            assertThat(get(server, admin, highOld).get("pending_reason").asText())
                    .contains("waiting behind higher-priority job " + gpu);

            server.post("/api/jobs/" + blocker + "/stop", null, admin);
            Instant gpuStart = startedAt(server, admin, gpu);
            Instant highOldStart = startedAt(server, admin, highOld);
            Instant highNewStart = startedAt(server, admin, highNew);
            Instant lowStart = startedAt(server, admin, low);

            assertThat(gpuStart).isBeforeOrEqualTo(highOldStart);
            assertThat(highOldStart).isBeforeOrEqualTo(highNewStart);
            assertThat(highNewStart).isBeforeOrEqualTo(lowStart);
        }
    }

    @Test
    void aSmallJobMayNotOvertakeABlockedBigOne() {
        try (TestServer server = TestServer.start(config -> config.withJobs(
                JobsConfig.defaults().withCapacity(4, 8192, "none").withStopGrace(Duration.ofSeconds(1))))) {
            String[] admin = {"X-API-KEY", server.adminKey()};
            String project = project(server, admin, "fairness");
            String half = submit(server, admin, body(project, "sleep 60", "cpu_cores", 2))
                    .get("id")
                    .asText();
            awaitState(server, admin, half, "RUNNING");
            String big = submit(server, admin, body(project, "sleep 1", "cpu_cores", 4, "priority", 80))
                    .get("id")
                    .asText();
            String small = submit(server, admin, body(project, "sleep 60", "cpu_cores", 2, "priority", 20))
                    .get("id")
                    .asText();

            // Two cores are free, enough for the small job, but taking them would delay the big one.
            JsonNode waiting = awaitPendingReason(server, admin, small);
            assertThat(waiting.get("state").asText()).isEqualTo("QUEUED");
            assertThat(waiting.get("pending_reason").asText()).contains(big);

            server.post("/api/jobs/" + half + "/stop", null, admin);
            awaitState(server, admin, big, "RUNNING", "COMPLETED");
            awaitEnd(server, admin, big);
            awaitState(server, admin, small, "RUNNING");
            server.post("/api/jobs/" + small + "/stop", null, admin);
            awaitEnd(server, admin, small);
        }
    }

    private static JsonNode awaitPendingReason(TestServer server, String[] auth, String id) {
        JsonNode[] job = new JsonNode[1];
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
            job[0] = get(server, auth, id);
            return !job[0].get("pending_reason").isNull()
                    && job[0].get("pending_reason").asText().startsWith("waiting ")
                    && !job[0].get("pending_reason").asText().equals("waiting for the scheduler");
        });
        return job[0];
    }

    /**
     * When the scheduler chose the job: its move to STARTING, written in the scheduler's order.
     * (started_at is stamped after each process spawn, on separate threads, so it may not be.)
     */
    private static Instant startedAt(TestServer server, String[] auth, String id) {
        JsonNode ended = awaitEnd(server, auth, id);
        for (JsonNode transition : ended.get("transitions")) {
            if (transition.get("to").asText().equals("STARTING")) {
                return Instant.parse(transition.get("at").asText());
            }
        }
        throw new AssertionError("job " + id + " never started: " + ended);
    }
}
