package dev.trainyard.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trainyard.server.TrainyardServer;
import dev.trainyard.server.config.ServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * A real Trainyard server on a random port with a temporary data folder, and a small HTTP client
 * to talk to it. Close it to stop the server and delete the folder.
 */
public final class TestServer implements AutoCloseable {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Path dataDir;
    private final TrainyardServer server;
    private final HttpClient client;
    private final JsonNode initialAdmin;

    private TestServer(Path dataDir, TrainyardServer server) {
        this.dataDir = dataDir;
        this.server = server;
        this.client =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try {
            this.initialAdmin =
                    MAPPER.readTree(dataDir.resolve("initial-admin.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static TestServer start() {
        return start(UnaryOperator.identity());
    }

    /** Starts a server whose configuration {@code tweak} may change (the data folder is fixed). */
    public static TestServer start(UnaryOperator<ServerConfig> tweak) {
        try {
            Path dataDir = Files.createTempDirectory("trainyard-test-");
            return start(dataDir, tweak);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts a server on an existing data folder (for restarts). */
    public static TestServer start(Path dataDir, UnaryOperator<ServerConfig> tweak) {
        ServerConfig config = tweak.apply(
                ServerConfig.defaults(dataDir).withHost("127.0.0.1").withPort(0).withAuthAttemptsPerMinute(100_000));
        return new TestServer(dataDir, TrainyardServer.start(config));
    }

    public TrainyardServer server() {
        return server;
    }

    public Path dataDir() {
        return dataDir;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    public String adminKey() {
        return initialAdmin.get("api_key").asText();
    }

    public String adminPassword() {
        return initialAdmin.get("password").asText();
    }

    /** A JWT for the administrator, exchanged through {@code POST /api/auth/token}. */
    public String adminToken() {
        return tokenFor(adminKey());
    }

    public String tokenFor(String apiKey) {
        HttpResponse response = post("/api/auth/token", null, "x-api-key", apiKey);
        if (response.status() != 200) {
            throw new AssertionError("token exchange failed: " + response);
        }
        return response.json().asText();
    }

    /** Creates a user through the admin API and gives them an API key. */
    public TestUser createUser(String username) {
        String password = "password-of-" + username;
        HttpResponse created = post(
                "/api/admin/users",
                "{\"username\":\"" + username + "\",\"password\":\"" + password + "\",\"email\":\"" + username
                        + "@example.com\"}",
                "X-API-KEY",
                adminKey());
        if (created.status() != 201) {
            throw new AssertionError("creating user failed: " + created);
        }
        JsonNode user = created.json().get("user");
        HttpResponse login =
                post("/api/auth/login", "{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}");
        String token = login.json().get("token").asText();
        HttpResponse key = post("/api/api-keys", "{\"name\":\"test\"}", "Authorization", "Bearer " + token);
        if (key.status() != 201) {
            throw new AssertionError("creating key failed: " + key);
        }
        return new TestUser(
                user.get("id").asText(),
                username,
                password,
                user.get("personal_organization").asText(),
                key.json().get("key").asText());
    }

    /** A user made for a test: their id, personal organization and API key. */
    public record TestUser(String id, String username, String password, String personalOrganization, String apiKey) {
        public String[] auth() {
            return new String[] {"X-API-KEY", apiKey};
        }
    }

    public HttpResponse get(String path, String... headers) {
        return call("GET", path, null, headers);
    }

    public HttpResponse post(String path, String body, String... headers) {
        return call("POST", path, body, headers);
    }

    public HttpResponse patch(String path, String body, String... headers) {
        return call("PATCH", path, body, headers);
    }

    public HttpResponse delete(String path, String... headers) {
        return call("DELETE", path, null, headers);
    }

    /** Any request; {@code headers} are name/value pairs. A JSON content type is set for bodies. */
    public HttpResponse call(String method, String path, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + path))
                .timeout(Duration.ofSeconds(30))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        boolean contentTypeGiven = false;
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
            contentTypeGiven |= headers[i].equalsIgnoreCase("Content-Type");
        }
        if (body != null && !contentTypeGiven) {
            request.header("Content-Type", "application/json");
        }
        try {
            java.net.http.HttpResponse<byte[]> response =
                    client.send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            return new HttpResponse(response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Stops the server, keeping the data folder (for restart tests). */
    public void stop() {
        server.close();
    }

    @Override
    public void close() {
        server.close();
        deleteRecursively(dataDir);
    }

    public static void deleteRecursively(Path folder) {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(folder)) {
            paths.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
