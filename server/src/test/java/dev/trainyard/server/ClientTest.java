package dev.trainyard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.trainyard.api.CreateProjectRequest;
import dev.trainyard.api.Page;
import dev.trainyard.api.Project;
import dev.trainyard.api.UpdateProjectRequest;
import dev.trainyard.client.Trainyard;
import dev.trainyard.client.TrainyardException;
import dev.trainyard.server.testing.TestServer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ClientTest {
    @Test
    void clientExchangesItsKeyAndManagesProjects() {
        try (TestServer server = TestServer.start()) {
            Trainyard client = Trainyard.builder()
                    .baseUrl(server.baseUrl())
                    .apiKey(server.adminKey())
                    .build();

            assertThat(client.me().user().username()).isEqualTo("admin");
            assertThat(client.me().authenticatedBy()).isEqualTo("jwt");
            Project created = client.createProject(new CreateProjectRequest("from-client", "made by the client", null));
            assertThat(client.getProject(created.id()).description()).isEqualTo("made by the client");
            assertThat(client.updateProject(created.id(), new UpdateProjectRequest("renamed", null))
                            .name())
                    .isEqualTo("renamed");
            Page<Project> page = client.listProjects(0, 10);
            assertThat(page.items()).extracting(Project::id).contains(created.id());

            client.deleteProject(created.id());
            assertThatThrownBy(() -> client.getProject(created.id()))
                    .isInstanceOfSatisfying(TrainyardException.class, e -> {
                        assertThat(e.status()).isEqualTo(404);
                        assertThat(e.code()).isEqualTo("not_found");
                        assertThat(e.requestId()).isNotBlank();
                    });
        }
    }

    @Test
    void clientRenewsItsTokenOnceWhenTheServerRefusesIt() {
        try (TestServer server = TestServer.start(config -> config.withTokenTtl(Duration.ofSeconds(1)))) {
            // A client clock stuck in the past believes its token is fresh, so only the server's
            // 401 can make it renew.
            Trainyard client = Trainyard.builder()
                    .baseUrl(server.baseUrl())
                    .apiKey(server.adminKey())
                    .clock(Clock.fixed(Instant.parse("2000-01-01T00:00:00Z"), ZoneOffset.UTC))
                    .build();
            assertThat(client.listProjects(0, 1).total()).isZero();
            String laterToken = server.adminToken();

            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> server.get("/api/projects", "Authorization", "Bearer " + laterToken)
                                    .status()
                            == 401);

            assertThat(client.listProjects(0, 1).total()).isZero();
        }
    }

    @Test
    void wrongKeyIsAnUnauthenticatedError() {
        try (TestServer server = TestServer.start()) {
            Trainyard client = Trainyard.builder()
                    .baseUrl(server.baseUrl())
                    .apiKey("ty_wrong")
                    .build();

            assertThatThrownBy(client::me)
                    .isInstanceOfSatisfying(
                            TrainyardException.class, e -> assertThat(e.code()).isEqualTo("unauthenticated"));
        }
    }
}
