package dev.trainyard.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainyard.server.testing.TestServer;
import org.junit.jupiter.api.Test;

class MetricsTest {
    @Test
    void exposesRequestCountsByRouteAndStatusAndJvmMetrics() {
        try (TestServer server = TestServer.start()) {
            server.get("/api/projects", "X-API-KEY", server.adminKey());
            server.get("/api/projects");
            server.get("/api/projects/p-aaaaaaaaaaaaaaaa", "X-API-KEY", server.adminKey());

            String metrics = server.get("/metrics").body();

            assertThat(metrics)
                    .contains(
                            "http_server_requests_seconds_count{method=\"GET\",route=\"/api/projects\",status=\"200\"} 1")
                    .contains(
                            "http_server_requests_seconds_count{method=\"GET\",route=\"/api/projects\",status=\"401\"} 1")
                    .contains("route=\"/api/projects/{projectId}\",status=\"404\"")
                    .contains("jvm_memory_used_bytes")
                    .contains("process_uptime_seconds");
            assertThat(server.get("/metrics").header("Content-Type")).startsWith("text/plain");
        }
    }

    @Test
    void readinessReportsTheDatabase() {
        try (TestServer server = TestServer.start()) {
            assertThat(server.get("/readyz").status()).isEqualTo(200);
            assertThat(server.get("/healthz").json().get("status").asText()).isEqualTo("ok");
        }
    }
}
