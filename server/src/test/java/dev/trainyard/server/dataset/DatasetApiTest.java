package dev.trainyard.server.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trainyard.server.config.JobsConfig;
import dev.trainyard.server.testing.TestServer;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Datasets through the real server: upload, versions, download with ranges, limits, jobs reading them. */
class DatasetApiTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String CSV = "x,\"y, quoted\",label\n1.5,2,a\n3,4.25,b\n-1,0,a\n";
    private static final Set<String> TERMINAL = Set.of("COMPLETED", "FAILED", "STOPPED", "EXPIRED", "LOST");

    private static TestServer server;
    private static TestServer.TestUser owner;
    private static String project;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        server = TestServer.start(config -> config.withMaxDatasetBytes(64 * 1024)
                .withJobs(JobsConfig.defaults().withCapacity(4, 4096, "none").withStopGrace(Duration.ofSeconds(1))));
        owner = server.createUser("dataset-owner");
        project = server.post("/api/projects", "{\"name\":\"data\"}", owner.auth())
                .json()
                .get("id")
                .asText();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private HttpResponse<String> upload(String name, byte[] body, String contentType, String key) throws Exception {
        return client.send(
                HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/projects/" + project + "/datasets?name="
                                + java.net.URLEncoder.encode(name, StandardCharsets.UTF_8)))
                        .header("X-API-KEY", key)
                        .header("Content-Type", contentType)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aCsvUploadIsChecksummedDescribedAndVersionedByName() throws Exception {
        HttpResponse<String> first =
                upload("points.csv", CSV.getBytes(StandardCharsets.UTF_8), "text/csv", owner.apiKey());
        assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
        JsonNode dataset = MAPPER.readTree(first.body());
        assertThat(dataset.get("version").asInt()).isEqualTo(1);
        assertThat(dataset.get("format").asText()).isEqualTo("csv");
        assertThat(dataset.get("columns").toString()).isEqualTo("[\"x\",\"y, quoted\",\"label\"]");
        assertThat(dataset.get("rows").asLong()).isEqualTo(3);
        assertThat(dataset.get("size_bytes").asLong()).isEqualTo(CSV.length());
        assertThat(dataset.get("sha256").asText()).isEqualTo(sha256(CSV.getBytes(StandardCharsets.UTF_8)));

        JsonNode second = MAPPER.readTree(
                upload("points.csv", "x\n1\n".getBytes(StandardCharsets.UTF_8), "text/csv", owner.apiKey())
                        .body());
        assertThat(second.get("version").asInt()).isEqualTo(2);
        JsonNode list = server.get("/api/projects/" + project + "/datasets?take=100", owner.auth())
                .json();
        assertThat(list.toString())
                .contains(dataset.get("id").asText(), second.get("id").asText());

        String path =
                "/api/projects/" + project + "/datasets/" + dataset.get("id").asText();
        HttpResponse<byte[]> whole = client.send(
                HttpRequest.newBuilder(URI.create(server.baseUrl() + path + "/download"))
                        .header("X-API-KEY", owner.apiKey())
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(whole.statusCode()).isEqualTo(200);
        assertThat(new String(whole.body(), StandardCharsets.UTF_8)).isEqualTo(CSV);
        assertThat(whole.headers().firstValue("Content-Length")).contains(Integer.toString(CSV.length()));
        assertThat(whole.headers().firstValue("Content-Disposition").orElse("")).contains("points.csv");
        HttpResponse<byte[]> range = client.send(
                HttpRequest.newBuilder(URI.create(server.baseUrl() + path + "/download"))
                        .header("X-API-KEY", owner.apiKey())
                        .header("Range", "bytes=4-11")
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(new String(range.body(), StandardCharsets.UTF_8)).isEqualTo(CSV.substring(4, 12));
        assertThat(range.headers().firstValue("Content-Range")).contains("bytes 4-11/" + CSV.length());
        HttpResponse<String> outside = client.send(
                HttpRequest.newBuilder(URI.create(server.baseUrl() + path + "/download"))
                        .header("X-API-KEY", owner.apiKey())
                        .header("Range", "bytes=9999-")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(outside.statusCode()).isEqualTo(416);
        assertThat(outside.body()).contains("range_not_satisfiable");
    }

    @Test
    void aMultipartUploadWorksLikeARawOne() throws Exception {
        String boundary = "----trainyard" + System.nanoTime();
        String big = "x,label\n" + "1.0,a\n".repeat(6_000);
        byte[] body = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nform.csv\r\n"
                        + "--" + boundary
                        + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"local.csv\"\r\n"
                        + "Content-Type: text/csv\r\n\r\n" + big + "\r\n--" + boundary + "--\r\n")
                .getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> answer = client.send(
                HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/projects/" + project + "/datasets"))
                        .header("X-API-KEY", owner.apiKey())
                        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(201);
        JsonNode dataset = MAPPER.readTree(answer.body());
        assertThat(dataset.get("name").asText()).isEqualTo("form.csv");
        assertThat(dataset.get("rows").asLong()).isEqualTo(6_000);
        assertThat(dataset.get("sha256").asText()).isEqualTo(sha256(big.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aNameIsALabelNeverAPath() throws Exception {
        HttpResponse<String> sneaky = upload(
                "../../etc/passwd",
                "root:x:0:0\n".getBytes(StandardCharsets.UTF_8),
                "application/octet-stream",
                owner.apiKey());
        assertThat(sneaky.statusCode()).as(sneaky.body()).isEqualTo(201);
        JsonNode dataset = MAPPER.readTree(sneaky.body());
        assertThat(dataset.get("name").asText()).isEqualTo("../../etc/passwd");
        assertThat(dataset.get("format").asText()).isEqualTo("binary");
        try (Stream<Path> files = Files.walk(server.dataDir().getParent(), 3)) {
            assertThat(files.map(Path::getFileName).map(Path::toString)).doesNotContain("passwd");
        }
        try (Stream<Path> files = Files.walk(server.dataDir().resolve("blobs"))) {
            assertThat(files.filter(Files::isRegularFile).map(Path::toString))
                    .anyMatch(file -> file.endsWith(dataset.get("sha256").asText()));
        }
        HttpResponse<byte[]> download = client.send(
                HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/projects/" + project + "/datasets/"
                                + dataset.get("id").asText() + "/download"))
                        .header("X-API-KEY", owner.apiKey())
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(download.headers().firstValue("Content-Disposition").orElse(""))
                .contains("filename=\"__.._etc_passwd\"");
        assertThat(upload("", new byte[] {1}, "application/octet-stream", owner.apiKey())
                        .statusCode())
                .isEqualTo(400);
    }

    @Test
    void oversizedAndInterruptedUploadsLeaveNothing() throws Exception {
        long before = server.get("/api/projects/" + project + "/datasets?take=500", owner.auth())
                .json()
                .get("total")
                .asLong();
        HttpResponse<String> big = upload("big.bin", new byte[65 * 1024], "application/octet-stream", owner.apiKey());
        assertThat(big.statusCode()).isEqualTo(413);
        assertThat(big.body()).contains("too_large").doesNotContain("Exception");

        // Promise 100,000 bytes, send 1,000, hang up.
        try (Socket socket =
                new Socket("127.0.0.1", URI.create(server.baseUrl()).getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/projects/" + project + "/datasets?name=cut.bin HTTP/1.1\r\nHost: localhost\r\n"
                            + "X-API-KEY: " + owner.apiKey() + "\r\nContent-Type: application/octet-stream\r\n"
                            + "Content-Length: 100000\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[1000]);
            out.flush();
            Thread.sleep(300);
        }
        Path temporary = server.dataDir().resolve("blobs").resolve("tmp");
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            try (Stream<Path> left = Files.list(temporary)) {
                return left.findAny().isEmpty();
            }
        });
        assertThat(server.get("/api/projects/" + project + "/datasets?take=500", owner.auth())
                        .json()
                        .get("total")
                        .asLong())
                .isEqualTo(before);
    }

    @Test
    void anotherOrganizationSeesNothing() throws Exception {
        String id = MAPPER.readTree(
                        upload("secret.csv", CSV.getBytes(StandardCharsets.UTF_8), "text/csv", owner.apiKey())
                                .body())
                .get("id")
                .asText();
        TestServer.TestUser stranger = server.createUser("dataset-stranger");
        String base = "/api/projects/" + project + "/datasets";
        for (String path : new String[] {base, base + "/" + id, base + "/" + id + "/download"}) {
            assertThat(server.get(path, stranger.auth()).status()).as(path).isEqualTo(404);
        }
        assertThat(server.delete(base + "/" + id, stranger.auth()).status()).isEqualTo(404);
        assertThat(upload("mine.csv", CSV.getBytes(StandardCharsets.UTF_8), "text/csv", stranger.apiKey())
                        .statusCode())
                .isEqualTo(404);
        // Nor can their jobs read it.
        String theirProject = server.post("/api/projects", "{\"name\":\"theirs\"}", stranger.auth())
                .json()
                .get("id")
                .asText();
        assertThat(server.post(
                                "/api/jobs",
                                "{\"project\":\"" + theirProject + "\",\"run_command\":\"true\",\"datasets\":[\"" + id
                                        + "\"]}",
                                stranger.auth())
                        .status())
                .isEqualTo(404);
    }

    @Test
    void aJobReadsItsDatasetsAndADatasetInUseCannotBeDeleted() throws Exception {
        String id = MAPPER.readTree(
                        upload("train set.csv", CSV.getBytes(StandardCharsets.UTF_8), "text/csv", owner.apiKey())
                                .body())
                .get("id")
                .asText();
        String job = server.post(
                        "/api/jobs",
                        "{\"project\":\"" + project + "\",\"datasets\":[\"" + id + "\"],\"run_command\":"
                                + "\"wc -l < \\\"$TRAINYARD_DATASET_TRAIN_SET_CSV\\\"; head -1 \\\"$TRAINYARD_DATASET_TRAIN_SET_CSV\\\";"
                                + " ls $TRAINYARD_DATASETS_DIR; echo tamper >> \\\"$TRAINYARD_DATASET_TRAIN_SET_CSV\\\" || echo read-only;"
                                + " sleep 2\"}",
                        owner.auth())
                .json()
                .get("id")
                .asText();
        String path = "/api/projects/" + project + "/datasets/" + id;
        await().atMost(Duration.ofSeconds(30))
                .until(() -> server.get("/api/jobs/" + job, owner.auth())
                        .json()
                        .get("state")
                        .asText()
                        .equals("RUNNING"));
        assertThat(server.delete(path, owner.auth()).status()).isEqualTo(409);

        await().atMost(Duration.ofSeconds(60))
                .until(() -> TERMINAL.contains(server.get("/api/jobs/" + job, owner.auth())
                        .json()
                        .get("state")
                        .asText()));
        String log = server.get(
                        "/api/jobs/" + job + "/logs?limit=100", "X-API-KEY", owner.apiKey(), "Accept", "text/plain")
                .body();
        assertThat(log).contains("4", "x,\"y, quoted\",label", "train_set.csv", "read-only");
        JsonNode ended = server.get("/api/jobs/" + job, owner.auth()).json();
        assertThat(ended.get("state").asText()).isEqualTo("COMPLETED");
        // The stored bytes are unchanged, and the dataset can go now that nothing reads it.
        HttpResponse<byte[]> download = client.send(
                HttpRequest.newBuilder(URI.create(server.baseUrl() + path + "/download"))
                        .header("X-API-KEY", owner.apiKey())
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(new String(download.body(), StandardCharsets.UTF_8)).isEqualTo(CSV);
        assertThat(server.delete(path, owner.auth()).status()).isEqualTo(204);
        assertThat(server.get(path, owner.auth()).status()).isEqualTo(404);
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
