package dev.trainyard.server.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trainyard.server.config.CreditsConfig;
import dev.trainyard.server.config.JobsConfig;
import dev.trainyard.server.testing.HttpResponse;
import dev.trainyard.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Models trained by real jobs running the built-in trainer, on datasets generated here. */
class ModelApiTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Set<String> TERMINAL = Set.of("COMPLETED", "FAILED", "STOPPED", "EXPIRED", "LOST");

    private static TestServer server;
    private static TestServer.TestUser owner;
    private static String project;

    @BeforeAll
    static void start() {
        server = TestServer.start(config -> config.withJobs(
                JobsConfig.defaults().withCapacity(4, 8 * 1024, "none").withStopGrace(Duration.ofSeconds(2))));
        owner = server.createUser("model-owner");
        project = server.post("/api/projects", "{\"name\":\"models\"}", owner.auth())
                .json()
                .get("id")
                .asText();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Two Gaussian clusters, labels a and b. */
    static String clusters() {
        return clusters(800);
    }

    static String clusters(int rows) {
        Random random = new Random(11);
        StringBuilder csv = new StringBuilder("x,y,label\n");
        for (int i = 0; i < rows; i++) {
            boolean a = i % 2 == 0;
            csv.append((a ? -2 : 2) + random.nextGaussian())
                    .append(',')
                    .append((a ? -2 : 2) + random.nextGaussian())
                    .append(',')
                    .append(a ? "a" : "b")
                    .append('\n');
        }
        return csv.toString();
    }

    /** y = 3 x1 - 2 x2 + 1 with a little noise. */
    static String line() {
        Random random = new Random(12);
        StringBuilder csv = new StringBuilder("x1,x2,y\n");
        for (int i = 0; i < 800; i++) {
            double x1 = random.nextDouble() * 4 - 2;
            double x2 = random.nextDouble() * 4 - 2;
            csv.append(x1)
                    .append(',')
                    .append(x2)
                    .append(',')
                    .append(3 * x1 - 2 * x2 + 1 + 0.1 * random.nextGaussian())
                    .append('\n');
        }
        return csv.toString();
    }

    private static String dataset(String name, String csv) throws Exception {
        return dataset(server, owner, project, name, csv);
    }

    private static String dataset(TestServer on, TestServer.TestUser user, String projectId, String name, String csv)
            throws Exception {
        try (HttpClient client = HttpClient.newHttpClient()) {
            java.net.http.HttpResponse<String> answer = client.send(
                    HttpRequest.newBuilder(
                                    URI.create(on.baseUrl() + "/api/projects/" + projectId + "/datasets?name=" + name))
                            .header("X-API-KEY", user.apiKey())
                            .header("Content-Type", "text/csv")
                            .POST(HttpRequest.BodyPublishers.ofString(csv, StandardCharsets.UTF_8))
                            .build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(201);
            return MAPPER.readTree(answer.body()).get("id").asText();
        }
    }

    private static String model(String body) {
        HttpResponse created = server.post("/api/oneai/projects/" + project + "/models", body, owner.auth());
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("id").asText();
    }

    private static JsonNode trainAndWait(String model, String body) {
        return runJob(
                server.post("/api/oneai/projects/" + project + "/models/" + model + "/train", body, owner.auth()));
    }

    @Test
    void aClassifierIsTrainedByAJobVersionedAndPredicts() throws Exception {
        String data = dataset("clusters.csv", clusters());
        String model = model("{\"name\":\"clusters\",\"task\":\"classification\",\"dataset\":\"" + data
                + "\",\"target_column\":\"label\",\"feature_columns\":[\"x\",\"y\"],\"algorithm\":\"linear\","
                + "\"hyperparameters\":{\"seed\":3}}");

        JsonNode job = trainAndWait(model, "{\"epochs\":5}");

        String path = "/api/oneai/projects/" + project + "/models/" + model;
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        server.get(path, owner.auth()).json().get("versions").size() == 1);
        JsonNode version = server.get(path, owner.auth()).json().get("versions").get(0);
        assertThat(version.get("version").asInt()).isEqualTo(1);
        assertThat(version.get("job").asText()).isEqualTo(job.get("id").asText());
        assertThat(version.get("metrics").get("accuracy").asDouble()).isGreaterThan(0.95);
        assertThat(version.get("metrics").get("macro_f1").asDouble()).isGreaterThan(0.95);
        JsonNode progress = server.get("/api/jobs/" + job.get("id").asText() + "/progress", owner.auth())
                .json();
        assertThat(progress.get("total_epochs").asInt()).isEqualTo(5);
        assertThat(progress.get("epoch").asInt()).isEqualTo(5);
        assertThat(server.get("/api/jobs/" + job.get("id").asText() + "/metrics/loss", owner.auth())
                        .json()
                        .get("total_points")
                        .asLong())
                .isEqualTo(5);

        HttpResponse predicted = server.post(
                path + "/predict", "{\"rows\":[{\"x\":-2.1,\"y\":-1.9},{\"x\":2.2,\"y\":1.8}]}", owner.auth());
        assertThat(predicted.status()).as(predicted.toString()).isEqualTo(200);
        assertThat(predicted.json().get("predictions").get(0).get("output").asText())
                .isEqualTo("a");
        assertThat(predicted.json().get("predictions").get(1).get("output").asText())
                .isEqualTo("b");
        assertThat(server.post(path + "/predict", "{\"rows\":[{\"x\":\"high\"}]}", owner.auth())
                        .status())
                .isEqualTo(400);
    }

    @Test
    void testedAndExportedTheOnnxExportPredictsWhatThePlatformPredicts() throws Exception {
        String data = dataset("onnx.csv", clusters());
        String model = model("{\"name\":\"exported\",\"dataset\":\"" + data + "\",\"target_column\":\"label\"}");
        trainAndWait(model, "{\"epochs\":5}");
        String path = "/api/oneai/projects/" + project + "/models/" + model;
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        server.get(path, owner.auth()).json().get("versions").size() == 1);

        // Test on the held-out rows, then on a fresh dataset.
        runJob(server.post(path + "/test", "", owner.auth()));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> !server.get(path, owner.auth())
                        .json()
                        .get("versions")
                        .get(0)
                        .get("test_results")
                        .isNull());
        JsonNode tested =
                server.get(path, owner.auth()).json().get("versions").get(0).get("test_results");
        assertThat(tested.get("held_out").asBoolean()).isTrue();
        assertThat(tested.get("metrics").get("accuracy").asDouble()).isGreaterThan(0.95);
        assertThat(tested.get("metrics").get("confusion_matrix").asText()).isNotEmpty();

        runJob(server.post(path + "/export", "{\"format\":\"onnx\"}", owner.auth()));
        runJob(server.post(path + "/export", "{\"format\":\"native\"}", owner.auth()));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> server.get(path + "/exports", owner.auth()).json().size() == 2);
        JsonNode exports = server.get(path + "/exports", owner.auth()).json();
        assertThat(exports.toString()).contains("exported-v1.onnx", "exported-v1.tribuo");

        byte[] onnx = download(path + "/exports/exported-v1.onnx");
        byte[] tribuo = download(path + "/exports/exported-v1.tribuo");
        java.nio.file.Path nativeFile = java.nio.file.Files.createTempFile("model", ".tribuo");
        java.nio.file.Files.write(nativeFile, tribuo);
        @SuppressWarnings("unchecked")
        org.tribuo.Model<org.tribuo.classification.Label> reference =
                (org.tribuo.Model<org.tribuo.classification.Label>) org.tribuo.Model.deserializeFromFile(nativeFile);
        String[] features = new String[reference.getFeatureIDMap().size()];
        reference
                .getFeatureIDMap()
                .forEach(info -> features[reference.getFeatureIDMap().getID(info.getName())] = info.getName());

        Random random = new Random(99);
        StringBuilder rows = new StringBuilder("{\"rows\":[");
        float[][] inputs = new float[50][features.length];
        for (int i = 0; i < 50; i++) {
            double x = random.nextGaussian() * 3;
            double y = random.nextGaussian() * 3;
            rows.append(i == 0 ? "" : ",")
                    .append("{\"x\":")
                    .append(x)
                    .append(",\"y\":")
                    .append(y)
                    .append('}');
            for (int f = 0; f < features.length; f++) {
                inputs[i][f] = (float) (features[f].equals("x") ? x : y);
            }
        }
        JsonNode platform = server.post(path + "/predict", rows.append("]}").toString(), owner.auth())
                .json()
                .get("predictions");

        ai.onnxruntime.OrtEnvironment environment = ai.onnxruntime.OrtEnvironment.getEnvironment();
        try (ai.onnxruntime.OrtSession session = environment.createSession(onnx);
                ai.onnxruntime.OnnxTensor input = ai.onnxruntime.OnnxTensor.createTensor(environment, inputs);
                ai.onnxruntime.OrtSession.Result result = session.run(
                        java.util.Map.of(session.getInputNames().iterator().next(), input))) {
            float[][] scores = (float[][]) result.get(0).getValue();
            for (int i = 0; i < 50; i++) {
                int best = 0;
                for (int label = 1; label < scores[i].length; label++) {
                    if (scores[i][label] > scores[i][best]) {
                        best = label;
                    }
                }
                assertThat(reference.getOutputIDInfo().getOutput(best).getLabel())
                        .as("row " + i)
                        .isEqualTo(platform.get(i).get("output").asText());
            }
        }
        assertThat(server.post(path + "/export", "{\"format\":\"pdf\"}", owner.auth())
                        .status())
                .isEqualTo(400);

        // The project's zip carries the model, its version with metrics, and the export files.
        byte[] zip = download("/api/projects/" + project + "/download");
        java.util.Map<String, byte[]> entries = new java.util.HashMap<>();
        try (java.util.zip.ZipInputStream in =
                new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(zip))) {
            for (java.util.zip.ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                entries.put(entry.getName(), in.readAllBytes());
            }
        }
        assertThat(entries).containsKey("models/" + model + "/exports/exported-v1.onnx");
        assertThat(entries.get("models/" + model + "/exports/exported-v1.onnx")).isEqualTo(onnx);
        JsonNode manifest = MAPPER.readTree(entries.get("project.json"));
        assertThat(manifest.get("models").toString()).contains(model, "\"accuracy\"");
        assertThat(manifest.get("exports").get(model).toString()).contains("exported-v1.tribuo");
    }

    /** Waits for a queued job to end and asserts it completed, with its logs as the failure's description. */
    private static JsonNode runJob(HttpResponse queued) {
        assertThat(queued.status()).as(queued.toString()).isEqualTo(202);
        String job = queued.json().get("id").asText();
        JsonNode ended = awaitEnd(job);
        assertThat(ended.get("state").asText())
                .as(server.get(
                                "/api/jobs/" + job + "/logs?limit=200",
                                "X-API-KEY",
                                owner.apiKey(),
                                "Accept",
                                "text/plain")
                        .body())
                .isEqualTo("COMPLETED");
        return ended;
    }

    /** The job once it reaches a terminal state. */
    private static JsonNode awaitEnd(String job) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    last[0] = server.get("/api/jobs/" + job, owner.auth()).json();
                    return TERMINAL.contains(last[0].get("state").asText());
                });
        return last[0];
    }

    private static byte[] download(String path) throws Exception {
        try (HttpClient client = HttpClient.newHttpClient()) {
            java.net.http.HttpResponse<byte[]> answer = client.send(
                    HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                            .header("X-API-KEY", owner.apiKey())
                            .build(),
                    java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            assertThat(answer.statusCode()).isEqualTo(200);
            return answer.body();
        }
    }

    /** A shell line a custom command uses to upload a file of its job as an artifact. */
    private static String upload(String file) {
        return "curl -sf -X POST -H 'Expect:' -H \\\"Authorization: Bearer $TRAINYARD_JOB_TOKEN\\\" --data-binary @"
                + file + " \\\"$TRAINYARD_URL/api/jobs/$TRAINYARD_JOB_ID/artifacts?name=" + file + "\\\"";
    }

    @Test
    void aCustomModelRunsTheUsersCommandsAndItsUploadsBecomeVersionsAndExports() throws Exception {
        String data = dataset("custom.csv", clusters());
        String train =
                "wc -l < $TRAINYARD_DATASET_CUSTOM_CSV > model.bin; echo '{\\\"metrics\\\":{\\\"accuracy\\\":0.5}}' > results.json; "
                        + upload("model.bin") + " && " + upload("results.json");
        String test = "test -s \\\"$TRAINYARD_MODEL_FILE\\\" && echo '{\\\"rows\\\":801}' > results.json && "
                + upload("results.json");
        String export = "cp \\\"$TRAINYARD_MODEL_FILE\\\" weights.onnx && echo readme > notes.txt && "
                + upload("weights.onnx") + " && " + upload("notes.txt");
        String model = model("{\"name\":\"mine\",\"kind\":\"custom\",\"dataset\":\"" + data + "\",\"train_command\":\""
                + train + "\",\"test_command\":\"" + test + "\",\"export_command\":\"" + export + "\"}");
        String path = "/api/oneai/projects/" + project + "/models/" + model;

        runJob(server.post(path + "/train", "", owner.auth()));
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        server.get(path, owner.auth()).json().get("versions").size() == 1);
        JsonNode version = server.get(path, owner.auth()).json().get("versions").get(0);
        assertThat(version.get("metrics").get("accuracy").asDouble()).isEqualTo(0.5);

        runJob(server.post(path + "/test", "", owner.auth()));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> !server.get(path, owner.auth())
                        .json()
                        .get("versions")
                        .get(0)
                        .get("test_results")
                        .isNull());
        assertThat(server.get(path, owner.auth())
                        .json()
                        .get("versions")
                        .get(0)
                        .get("test_results")
                        .get("rows")
                        .asInt())
                .isEqualTo(801);

        runJob(server.post(path + "/export", "", owner.auth()));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> server.get(path + "/exports", owner.auth()).json().size() == 2);
        assertThat(server.get(path + "/exports", owner.auth()).json().toString())
                .contains("\"weights.onnx\"", "\"format\":\"onnx\"", "\"notes.txt\"");
        assertThat(new String(download(path + "/exports/weights.onnx"), StandardCharsets.UTF_8).strip())
                .isEqualTo("801");
        assertThat(server.post(path + "/predict", "{\"rows\":[{\"x\":1,\"y\":1}]}", owner.auth())
                        .status())
                .isEqualTo(409);
        assertThat(server.post(
                                "/api/oneai/projects/" + project + "/models",
                                "{\"name\":\"x\",\"kind\":\"custom\"}",
                                owner.auth())
                        .status())
                .isEqualTo(400);
    }

    @Test
    void aRegressionTreeFitsALine() throws Exception {
        String data = dataset("line.csv", line());
        String model = model("{\"name\":\"line\",\"task\":\"regression\",\"dataset\":\"" + data
                + "\",\"target_column\":\"y\",\"algorithm\":\"cart\",\"hyperparameters\":{\"max_depth\":10}}");

        trainAndWait(model, "");

        String path = "/api/oneai/projects/" + project + "/models/" + model;
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        server.get(path, owner.auth()).json().get("versions").size() == 1);
        JsonNode metrics =
                server.get(path, owner.auth()).json().get("versions").get(0).get("metrics");
        assertThat(metrics.get("r2").asDouble()).isGreaterThan(0.9);
        assertThat(metrics.has("rmse")).isTrue();
        double predicted = server.post(path + "/predict", "{\"rows\":[{\"x1\":1.0,\"x2\":0.5}]}", owner.auth())
                .json()
                .get("predictions")
                .get(0)
                .get("output")
                .asDouble();
        assertThat(predicted).isBetween(2.0, 4.0); // 3 x 1 - 2 x 0.5 + 1 = 3
    }

    @Test
    void badModelsAreRefusedAndOtherOrganizationsSeeNothing() throws Exception {
        String data = dataset("bad.csv", clusters());
        String base = "/api/oneai/projects/" + project + "/models";
        assertThat(server.post(
                                base,
                                "{\"name\":\"x\",\"dataset\":\"" + data + "\",\"target_column\":\"nope\"}",
                                owner.auth())
                        .status())
                .isEqualTo(400);
        assertThat(server.post(
                                base,
                                "{\"name\":\"x\",\"dataset\":\"" + data
                                        + "\",\"target_column\":\"label\",\"hyperparameters\":{\"epochs\":-1}}",
                                owner.auth())
                        .status())
                .isEqualTo(400);
        assertThat(server.post(
                                base,
                                "{\"name\":\"x\",\"dataset\":\"" + data
                                        + "\",\"target_column\":\"label\",\"feature_columns\":[\"x\",\"label\"]}",
                                owner.auth())
                        .status())
                .isEqualTo(400);
        String model = model("{\"name\":\"private\",\"dataset\":\"" + data + "\",\"target_column\":\"label\"}");
        assertThat(server.post(base + "/" + model + "/predict", "{\"rows\":[{\"x\":1,\"y\":1}]}", owner.auth())
                        .status())
                .isEqualTo(409);

        TestServer.TestUser stranger = server.createUser("model-stranger");
        assertThat(server.get(base, stranger.auth()).status()).isEqualTo(404);
        assertThat(server.get(base + "/" + model, stranger.auth()).status()).isEqualTo(404);
        assertThat(server.post(base + "/" + model + "/train", "{}", stranger.auth())
                        .status())
                .isEqualTo(404);
        assertThat(server.post(base + "/" + model + "/predict", "{\"rows\":[{\"x\":1}]}", stranger.auth())
                        .status())
                .isEqualTo(404);
        for (String action : new String[] {"/test", "/export"}) {
            assertThat(server.post(base + "/" + model + action, "{}", stranger.auth())
                            .status())
                    .as(action)
                    .isEqualTo(404);
        }
        assertThat(server.get(base + "/" + model + "/exports", stranger.auth()).status())
                .isEqualTo(404);
        assertThat(server.get(base + "/" + model + "/exports/x.onnx", stranger.auth())
                        .status())
                .isEqualTo(404);
        assertThat(server.delete(base + "/" + model, stranger.auth()).status()).isEqualTo(404);
        assertThat(server.delete(base + "/" + model, owner.auth()).status()).isEqualTo(204);
    }

    @Test
    void aStoppedTrainingLeavesNoVersionAndTrainingNeedsCredits() throws Exception {
        String data = dataset("stop.csv", clusters(20_000));
        String model = model("{\"name\":\"stopped\",\"dataset\":\"" + data + "\",\"target_column\":\"label\"}");
        String path = "/api/oneai/projects/" + project + "/models/" + model;
        String job = server.post(path + "/train", "{\"epochs\":1000}", owner.auth())
                .json()
                .get("id")
                .asText();
        // Stopped mid-training: once it reports its first epoch of a thousand.
        await().atMost(Duration.ofSeconds(60))
                .until(() -> server.get("/api/jobs/" + job + "/progress", owner.auth())
                        .json()
                        .get("epoch")
                        .isNumber());
        server.post("/api/jobs/" + job + "/stop", "", owner.auth());
        assertThat(awaitEnd(job).get("state").asText()).isEqualTo("STOPPED");
        Thread.sleep(500);
        assertThat(server.get(path, owner.auth()).json().get("versions").size()).isZero();

        try (TestServer broke = TestServer.start(
                config -> config.withCredits(CreditsConfig.defaults().withWelcomeMicros(0)))) {
            TestServer.TestUser poor = broke.createUser("poor");
            String poorProject = broke.post("/api/projects", "{\"name\":\"p\"}", poor.auth())
                    .json()
                    .get("id")
                    .asText();
            String poorData = dataset(broke, poor, poorProject, "d.csv", clusters());
            String poorModel = broke.post(
                            "/api/oneai/projects/" + poorProject + "/models",
                            "{\"name\":\"m\",\"dataset\":\"" + poorData + "\",\"target_column\":\"label\"}",
                            poor.auth())
                    .json()
                    .get("id")
                    .asText();
            HttpResponse refused = broke.post(
                    "/api/oneai/projects/" + poorProject + "/models/" + poorModel + "/train", "{}", poor.auth());
            assertThat(refused.status()).isEqualTo(402);
            assertThat(refused.json().get("code").asText()).isEqualTo("insufficient_credits");
        }
    }
}
