package dev.trainyard.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainyard.server.testing.TestServer;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void startsAndAnswersHealth() {
        try (TestServer server = TestServer.start()) {
            assertThat(server.get("/healthz").status()).isEqualTo(200);
            assertThat(server.get("/readyz").json().get("database").asText()).isEqualTo("ok");
        }
    }
}
