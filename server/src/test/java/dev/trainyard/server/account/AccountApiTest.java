package dev.trainyard.server.account;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trainyard.server.testing.HttpResponse;
import dev.trainyard.server.testing.TestServer;
import dev.trainyard.server.testing.TestServer.TestUser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class AccountApiTest {
    @Test
    void firstStartWritesTheAdministratorsSecretsOnceWithMode0600() throws Exception {
        try (TestServer server = TestServer.start()) {
            Path file = server.dataDir().resolve("initial-admin.json");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                    .isEqualTo("rw-------");
            JsonNode secrets = new com.fasterxml.jackson.databind.ObjectMapper().readTree(file.toFile());
            assertThat(secrets.get("username").asText()).isEqualTo("admin");
            assertThat(secrets.get("password").asText()).hasSizeGreaterThanOrEqualTo(20);
            assertThat(secrets.get("api_key").asText()).startsWith("ty_");
            FileTime written = Files.getLastModifiedTime(file);
            String content = Files.readString(file);

            server.stop();
            try (TestServer restarted = TestServer.start(server.dataDir(), UnaryOperator.identity())) {
                assertThat(Files.readString(file)).isEqualTo(content);
                assertThat(Files.getLastModifiedTime(file)).isEqualTo(written);
                assertThat(restarted.tokenFor(secrets.get("api_key").asText())).startsWith("ey");
                assertThat(restarted
                                .get("/api/admin/users", "X-API-KEY", restarted.adminKey())
                                .json()
                                .get("total")
                                .asInt())
                        .isEqualTo(1);
            }
        }
    }

    @Test
    void restartDoesNotRecreateADeletedSecretsFile() throws Exception {
        try (TestServer server = TestServer.start()) {
            server.stop();
            Files.delete(server.dataDir().resolve("initial-admin.json"));
            TrainyardServerRestart.startAndStop(server.dataDir());
            assertThat(server.dataDir().resolve("initial-admin.json")).doesNotExist();
        }
    }

    @Test
    void adminsCreateAndListUsersOthersAreRefused() {
        try (TestServer server = TestServer.start()) {
            String[] admin = {"X-API-KEY", server.adminKey()};
            HttpResponse created =
                    server.post("/api/admin/users", "{\"username\":\"Ivy\",\"email\":\"ivy@example.com\"}", admin);
            assertThat(created.status()).isEqualTo(201);
            assertThat(created.json().get("user").get("username").asText()).isEqualTo("ivy");
            String generated = created.json().get("password").asText();
            assertThat(generated).hasSizeGreaterThanOrEqualTo(20);
            assertThat(server.post("/api/auth/login", "{\"username\":\"ivy\",\"password\":\"" + generated + "\"}")
                            .status())
                    .isEqualTo(200);

            assertThat(server.post("/api/admin/users", "{\"username\":\"ivy\"}", admin)
                            .status())
                    .isEqualTo(409);
            HttpResponse invalid = server.post(
                    "/api/admin/users",
                    "{\"username\":\"-bad name\",\"email\":\"nope\",\"password\":\"short\"}",
                    admin);
            assertThat(invalid.status()).isEqualTo(400);
            assertThat(invalid.json().get("errors")).hasSize(3);

            JsonNode users = server.get("/api/admin/users", admin).json();
            assertThat(users.get("total").asInt()).isEqualTo(2);
            assertThat(users.toString()).doesNotContain("password_hash").doesNotContain("argon2");

            TestUser jack = server.createUser("jack");
            assertThat(server.get("/api/admin/users", jack.auth()).status()).isEqualTo(403);
            assertThat(server.post("/api/admin/users", "{\"username\":\"sneaky\"}", jack.auth())
                            .status())
                    .isEqualTo(403);
            assertThat(server.get("/api/admin/stats", jack.auth()).status()).isEqualTo(403);
            assertThat(server.get("/api/admin/stats", admin).json().get("users").asInt())
                    .isEqualTo(3);
        }
    }

    @Test
    void meShowsTheCallerAndTheirOrganizations() {
        try (TestServer server = TestServer.start()) {
            TestUser kim = server.createUser("kim");
            JsonNode me = server.get("/api/auth/me", kim.auth()).json();

            assertThat(me.get("user").get("id").asText()).isEqualTo(kim.id());
            assertThat(me.get("user").get("admin").asBoolean()).isFalse();
            assertThat(me.get("organizations").get(0).get("id").asText()).isEqualTo(kim.personalOrganization());
        }
    }

    /** Starts and stops a server on a data folder without expecting an initial-admin file. */
    static final class TrainyardServerRestart {
        static void startAndStop(Path dataDir) {
            dev.trainyard.server.TrainyardServer.start(dev.trainyard.server.config.ServerConfig.defaults(dataDir)
                            .withHost("127.0.0.1")
                            .withPort(0))
                    .close();
        }
    }
}
