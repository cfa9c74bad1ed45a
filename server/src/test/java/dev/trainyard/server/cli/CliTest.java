package dev.trainyard.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trainyard.cli.Cli;
import dev.trainyard.server.testing.TestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line driven in-process against a real server. */
class CliTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static TestServer server;

    @TempDir
    Path config;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** What one command printed and its exit code. */
    record Run(int code, String out, String err) {
        JsonNode json() throws Exception {
            return MAPPER.readTree(out);
        }
    }

    private Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.run(new Cli(Map.of(), config, new PrintWriter(out), new PrintWriter(err)), args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void loginSubmitWaitLogsMetricsAndCredits() throws Exception {
        Run bad = run(
                "login", "--url", server.baseUrl(), "--api-key", "ty_notarealkeyatallnotarealkeyatallnotarealkey12345");
        assertThat(bad.code()).isEqualTo(Cli.ExitCode.AUTH);
        assertThat(bad.err().lines()).hasSize(1).first().asString().startsWith("error: ");
        assertThat(run("whoami").code()).isEqualTo(Cli.ExitCode.AUTH);

        Run login = run("login", "--url", server.baseUrl(), "--api-key", server.adminKey());
        assertThat(login.code()).as(login.err()).isZero();
        assertThat(login.out()).contains("logged in to " + server.baseUrl() + " as admin");
        Path saved = config.resolve("config.json");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(saved)))
                .isEqualTo("rw-------");
        assertThat(run("whoami").out()).contains("USER", "admin");

        String project = run("projects", "create", "cli-tour", "-o", "json")
                .json()
                .get("id")
                .asText();
        assertThat(run("projects", "list").out()).contains("cli-tour");

        Run submitted = run(
                "jobs",
                "submit",
                "--project",
                project,
                "--name",
                "tour",
                "--cpu",
                "1",
                "--memory",
                "1",
                "-o",
                "json",
                "--",
                "bash",
                "-c",
                "for i in 1 2 3; do echo step $i; echo ::trainyard progress epoch=$i total_epochs=3;"
                        + " echo ::trainyard metric loss=0.$i step=$i; sleep 0.3; done");
        assertThat(submitted.code()).as(submitted.err()).isZero();
        String job = submitted.json().get("id").asText();

        Run waited = run("jobs", "wait", job);
        assertThat(waited.code()).as(waited.err()).isZero();
        assertThat(waited.out()).contains("COMPLETED");
        assertThat(run("jobs", "logs", job).out()).contains("step 1", "step 3");
        assertThat(run("jobs", "logs", "-f", job).out()).contains("step 3");
        JsonNode loss = run("jobs", "metrics", job, "loss", "-o", "json").json();
        assertThat(loss.get("total_points").asInt()).isEqualTo(3);
        assertThat(run("jobs", "list", "--project", project).out()).contains(job, "COMPLETED", "tour");
        assertThat(run("jobs", "get", job, "-o", "yaml").out()).contains("state: \"COMPLETED\"");

        Run balance = run("credits", "balance");
        assertThat(balance.out()).contains("ORGANIZATION", "BALANCE", "AVAILABLE");
        assertThat(run("credits", "balance", "-o", "json")
                        .json()
                        .get("currency")
                        .asText())
                .isEqualTo("credits");
        assertThat(run("credits", "transactions", "--job", job).out()).contains("usage");
        assertThat(run("credits", "prices").out()).contains("GPU H100");

        String failing = run("jobs", "submit", "--project", project, "-o", "json", "--", "exit", "3")
                .json()
                .get("id")
                .asText();
        assertThat(run("jobs", "wait", failing).code()).isEqualTo(Cli.ExitCode.JOB_FAILED);
        assertThat(run("jobs", "get", "j-doesnotexist0").code()).isEqualTo(Cli.ExitCode.NOT_FOUND);
        assertThat(run("jobs", "submit", "--project", project).code()).isEqualTo(Cli.ExitCode.USAGE);
        assertThat(run("jobs", "list", "--no-such-flag").code()).isEqualTo(Cli.ExitCode.USAGE);
        assertThat(run("completion").out()).contains("complete");
        Run help = run("jobs", "submit", "--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("Examples:", "--gpu-type", "-o, --output");

        Files.writeString(
                config.resolve("job.yaml"), "project: " + project + "\nrun_command: echo from-file\nname: filed\n");
        String filed = run("jobs", "submit", "-f", config.resolve("job.yaml").toString(), "-o", "json")
                .json()
                .get("id")
                .asText();
        assertThat(run("jobs", "wait", filed).code()).isZero();
        assertThat(run("jobs", "logs", filed).out()).contains("from-file");

        assertThat(run("logout").code()).isZero();
        assertThat(saved).doesNotExist();
    }

    @Test
    void datasetsModelsExportsOrganizationsAndKeys() throws Exception {
        assertThat(run("login", "--url", server.baseUrl(), "--api-key", server.adminKey())
                        .code())
                .isZero();
        String project = run("projects", "create", "cli-models", "-o", "json")
                .json()
                .get("id")
                .asText();
        StringBuilder csv = new StringBuilder("x,y,label\n");
        for (int i = 0; i < 300; i++) {
            double shift = i % 2 == 0 ? -2 : 2;
            csv.append(shift + (i % 5) * 0.1)
                    .append(',')
                    .append(shift - (i % 3) * 0.1)
                    .append(',')
                    .append(i % 2 == 0 ? "a" : "b")
                    .append('\n');
        }
        Path file = Files.writeString(config.resolve("points.csv"), csv);

        Run uploaded = run("datasets", "upload", "--project", project, file.toString(), "-o", "json");
        assertThat(uploaded.code()).as(uploaded.err()).isZero();
        String dataset = uploaded.json().get("id").asText();
        assertThat(run("datasets", "list", "--project", project).out()).contains("points.csv", "300");
        Path back = config.resolve("back.csv");
        assertThat(run("datasets", "download", "--project", project, dataset, "-O", back.toString())
                        .code())
                .isZero();
        assertThat(Files.readString(back)).isEqualTo(csv.toString());

        String model = run(
                        "models",
                        "create",
                        "--project",
                        project,
                        "--dataset",
                        dataset,
                        "--target",
                        "label",
                        "points",
                        "-o",
                        "json")
                .json()
                .get("id")
                .asText();
        String training = run("models", "train", "--project", project, "--epochs", "3", model, "-o", "json")
                .json()
                .get("id")
                .asText();
        assertThat(run("jobs", "wait", training).code()).isZero();
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(20))
                .until(() -> run("models", "list", "--project", project).out().contains("accuracy="));
        Run predicted = run("models", "predict", "--project", project, model, "[{\"x\": 2.1, \"y\": 1.9}]");
        assertThat(predicted.out()).contains("PREDICTION", "b");
        String export = run("models", "export", "--project", project, model, "-o", "json")
                .json()
                .get("id")
                .asText();
        assertThat(run("jobs", "wait", export).code()).isZero();
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(20))
                .until(() -> run("exports", "list", "--project", project, model)
                        .out()
                        .contains("points-v1.onnx"));
        Path onnx = config.resolve("model.onnx");
        assertThat(run("exports", "download", "--project", project, model, "points-v1.onnx", "-O", onnx.toString())
                        .code())
                .isZero();
        assertThat(Files.size(onnx)).isPositive();
        Path zip = config.resolve("project.zip");
        assertThat(run("projects", "download", project, "-O", zip.toString()).code())
                .isZero();
        assertThat(Files.size(zip)).isPositive();

        String org =
                run("orgs", "create", "cli-team", "-o", "json").json().get("id").asText();
        assertThat(run("orgs", "list").out()).contains("cli-team");
        assertThat(run("orgs", "members", org).out()).contains("admin", "owner");
        String key = run("api-keys", "create", "from-cli", "-o", "json")
                .json()
                .get("api_key")
                .get("id")
                .asText();
        assertThat(run("api-keys", "list").out()).contains("from-cli");
        assertThat(run("api-keys", "revoke", key).code()).isZero();
        assertThat(run("models", "train", "--project", project, "m-doesnotexist0")
                        .code())
                .isEqualTo(Cli.ExitCode.NOT_FOUND);
    }
}
