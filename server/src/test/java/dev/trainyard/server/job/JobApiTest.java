package dev.trainyard.server.job;

import static dev.trainyard.server.job.JobTesting.awaitEnd;
import static dev.trainyard.server.job.JobTesting.awaitState;
import static dev.trainyard.server.job.JobTesting.body;
import static dev.trainyard.server.job.JobTesting.completeLog;
import static dev.trainyard.server.job.JobTesting.project;
import static dev.trainyard.server.job.JobTesting.submit;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trainyard.server.config.JobsConfig;
import dev.trainyard.server.testing.HttpResponse;
import dev.trainyard.server.testing.TestServer;
import dev.trainyard.server.testing.TestServer.TestUser;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class JobApiTest {
    private static TestServer server;
    private static TestUser alice;
    private static String project;

    @BeforeAll
    static void start() {
        server = TestServer.start(config -> config.withJobs(
                JobsConfig.defaults().withCapacity(8, 16 * 1024, "H100:2").withStopGrace(Duration.ofSeconds(2))));
        alice = server.createUser("alice");
        project = project(server, alice.auth(), "jobs");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void jobRunsAndCompletesWithItsOutputAndEnvironment() {
        JsonNode job = submit(
                server,
                alice.auth(),
                body(
                        project,
                        "echo hello from $TRAINYARD_JOB_ID; echo \"gpus=[$CUDA_VISIBLE_DEVICES] url=$TRAINYARD_URL secret=$API_TOKEN\"; echo to-stderr >&2",
                        "name",
                        "hello",
                        "env_vars",
                        Map.of("API_TOKEN", "s3cr3t"),
                        "image",
                        "pytorch/pytorch:2.3",
                        "tags",
                        List.of("smoke")));
        String id = job.get("id").asText();
        assertThat(id).matches("j-[a-z2-7]{16}");
        assertThat(job.get("env_vars")).hasSize(1);
        assertThat(job.get("env_vars").get(0).asText()).isEqualTo("API_TOKEN");
        assertThat(job.toString()).doesNotContain("s3cr3t");

        JsonNode ended = awaitEnd(server, alice.auth(), id);
        assertThat(ended.get("state").asText()).isEqualTo("COMPLETED");
        assertThat(ended.get("exit_code").asInt()).isZero();
        assertThat(ended.get("executor").asText()).isEqualTo("local");
        assertThat(ended.get("started_at").isNull()).isFalse();
        assertThat(ended.get("finished_at").isNull()).isFalse();
        assertThat(ended.get("transitions"))
                .extracting(t -> t.get("to").asText())
                .containsExactly("QUEUED", "STARTING", "RUNNING", "COMPLETED");
        assertThat(ended.toString()).doesNotContain("s3cr3t");

        String log = completeLog(server, alice.auth(), id);
        assertThat(log.lines().findFirst().orElseThrow())
                .contains("local executor")
                .contains("pytorch/pytorch:2.3");
        assertThat(log)
                .contains("hello from " + id)
                .contains("gpus=[] url=" + server.baseUrl() + " secret=s3cr3t")
                .contains("to-stderr");
        JsonNode lines =
                server.get("/api/jobs/" + id + "/logs", alice.auth()).json().get("lines");
        assertThat(lines).anySatisfy(line -> {
            assertThat(line.get("stream").asText()).isEqualTo("stderr");
            assertThat(line.get("text").asText()).isEqualTo("to-stderr");
        });
    }

    @Test
    void nonZeroExitFailsWithTheCode() {
        String id = submit(server, alice.auth(), body(project, "echo failing; exit 3"))
                .get("id")
                .asText();

        JsonNode ended = awaitEnd(server, alice.auth(), id);

        assertThat(ended.get("state").asText()).isEqualTo("FAILED");
        assertThat(ended.get("reason").asText()).isEqualTo("exit_code_3");
        assertThat(ended.get("exit_code").asInt()).isEqualTo(3);
    }

    @Test
    void failingSetupFailsTheJobWithoutRunningIt() {
        String id = submit(
                        server,
                        alice.auth(),
                        body(project, "echo the-run-ran", "setup_command", "echo setting-up; false"))
                .get("id")
                .asText();

        JsonNode ended = awaitEnd(server, alice.auth(), id);

        assertThat(ended.get("state").asText()).isEqualTo("FAILED");
        assertThat(ended.get("reason").asText()).isEqualTo("setup_failed");
        assertThat(completeLog(server, alice.auth(), id)).contains("setting-up").doesNotContain("the-run-ran");
    }

    @Test
    void gpuJobGetsItsAssignedDevices() {
        String id = submit(
                        server,
                        alice.auth(),
                        body(project, "echo devices=$CUDA_VISIBLE_DEVICES", "gpu_type", "H100", "gpus", 2))
                .get("id")
                .asText();

        JsonNode ended = awaitEnd(server, alice.auth(), id);

        assertThat(ended.get("assigned_gpus")).extracting(JsonNode::asInt).containsExactlyInAnyOrder(0, 1);
        assertThat(completeLog(server, alice.auth(), id)).containsAnyOf("devices=0,1", "devices=1,0");
    }

    @Test
    void impossibleJobIsRefusedSayingWhatIsAvailable() {
        HttpResponse wrongType =
                server.post("/api/jobs", body(project, "true", "gpu_type", "RTX A5000", "gpus", 1), alice.auth());
        assertThat(wrongType.status()).isEqualTo(400);
        assertThat(wrongType.json().get("detail").asText())
                .contains("RTX A5000")
                .contains("2× H100");

        HttpResponse tooMany =
                server.post("/api/jobs", body(project, "true", "gpu_type", "H100", "gpus", 3), alice.auth());
        assertThat(tooMany.status()).isEqualTo(400);

        HttpResponse tooBig = server.post("/api/jobs", body(project, "true", "cpu_cores", 64), alice.auth());
        assertThat(tooBig.status()).isEqualTo(400);
        assertThat(tooBig.json().get("detail").asText()).contains("offers 8");
    }

    @Test
    void validatesTheSubmission() {
        HttpResponse missing = server.post("/api/jobs", "{\"project\":\"" + project + "\"}", alice.auth());
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.json().get("errors").get(0).get("field").asText()).isEqualTo("run_command");

        HttpResponse bad = server.post(
                "/api/jobs",
                body(
                        project,
                        "true",
                        "expires",
                        "forever",
                        "priority",
                        101,
                        "env_vars",
                        Map.of("1BAD", "x", "TRAINYARD_URL", "x")),
                alice.auth());
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("errors"))
                .extracting(error -> error.get("field").asText())
                .contains("expires", "priority", "env_vars.1BAD", "env_vars.TRAINYARD_URL");

        assertThat(server.post("/api/jobs", body("p-aaaaaaaaaaaaaaaa", "true"), alice.auth())
                        .status())
                .isEqualTo(404);
        assertThat(server.post("/api/jobs", body(project, "true", "gpus", "two"), alice.auth())
                        .status())
                .isEqualTo(400);
    }

    @Test
    void idempotencyKeyReturnsTheSameJobAndRefusesAnotherBody() {
        String first = body(project, "echo once", "name", "idempotent");
        HttpResponse created =
                server.post("/api/jobs", first, "Idempotency-Key", "retry-42", alice.auth()[0], alice.auth()[1]);
        HttpResponse retried =
                server.post("/api/jobs", first, "Idempotency-Key", "retry-42", alice.auth()[0], alice.auth()[1]);
        HttpResponse different = server.post(
                "/api/jobs",
                body(project, "echo twice"),
                "Idempotency-Key",
                "retry-42",
                alice.auth()[0],
                alice.auth()[1]);

        assertThat(created.status()).isEqualTo(201);
        assertThat(retried.status()).isEqualTo(201);
        assertThat(retried.json().get("id").asText())
                .isEqualTo(created.json().get("id").asText());
        assertThat(retried.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(different.status()).isEqualTo(409);
    }

    @Test
    void listsNewestFirstWithFilters() {
        String other = project(server, alice.auth(), "filters");
        String tagged = submit(server, alice.auth(), body(other, "sleep 30", "tags", List.of("sweep-7")))
                .get("id")
                .asText();
        String plain =
                submit(server, alice.auth(), body(other, "true")).get("id").asText();
        awaitState(server, alice.auth(), tagged, "RUNNING");
        awaitEnd(server, alice.auth(), plain);

        JsonNode byProject =
                server.get("/api/jobs?project=" + other, alice.auth()).json();
        assertThat(byProject.get("total").asInt()).isEqualTo(2);
        assertThat(byProject.get("items").get(0).get("id").asText()).isEqualTo(plain);
        assertThat(server.get("/api/jobs?project=" + other + "&status=running", alice.auth())
                        .json()
                        .get("items"))
                .extracting(job -> job.get("id").asText())
                .containsExactly(tagged);
        assertThat(server.get("/api/jobs?project=" + other + "&status=RUNNING", alice.auth())
                        .json()
                        .get("total")
                        .asInt())
                .isEqualTo(1);
        assertThat(server.get("/api/jobs?tag=sweep-7", alice.auth()).json().get("items"))
                .extracting(job -> job.get("id").asText())
                .containsExactly(tagged);
        assertThat(server.get("/api/jobs?status=sleeping", alice.auth()).status())
                .isEqualTo(400);
        assertThat(server.post("/api/jobs/" + tagged + "/stop", null, alice.auth())
                        .status())
                .isEqualTo(200);
        awaitEnd(server, alice.auth(), tagged);
    }

    @Test
    void anotherOrganizationsJobIsNotFound() {
        TestUser mallory = server.createUser("mallory");
        String id = submit(server, alice.auth(), body(project, "sleep 20"))
                .get("id")
                .asText();

        assertThat(server.get("/api/jobs/" + id, mallory.auth()).status()).isEqualTo(404);
        assertThat(server.get("/api/jobs/" + id + "/logs", mallory.auth()).status())
                .isEqualTo(404);
        assertThat(server.get("/api/jobs/" + id + "/logs?follow=true", mallory.auth())
                        .status())
                .isEqualTo(404);
        assertThat(server.post("/api/jobs/" + id + "/stop", null, mallory.auth())
                        .status())
                .isEqualTo(404);
        assertThat(server.get("/api/jobs", mallory.auth()).json().get("total").asInt())
                .isZero();
        assertThat(server.post("/api/jobs", body(project, "true"), mallory.auth())
                        .status())
                .isEqualTo(404);

        server.post("/api/jobs/" + id + "/stop", null, alice.auth());
        assertThat(awaitEnd(server, alice.auth(), id).get("state").asText()).isEqualTo("STOPPED");
    }
}
