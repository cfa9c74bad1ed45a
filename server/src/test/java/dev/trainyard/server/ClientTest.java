package dev.trainyard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.trainyard.api.ApiKey;
import dev.trainyard.api.CreateApiKeyRequest;
import dev.trainyard.api.CreateJobRequest;
import dev.trainyard.api.CreateModelRequest;
import dev.trainyard.api.CreateProjectRequest;
import dev.trainyard.api.CreatedApiKey;
import dev.trainyard.api.Dataset;
import dev.trainyard.api.ExportModelRequest;
import dev.trainyard.api.Job;
import dev.trainyard.api.JobLogs;
import dev.trainyard.api.JobState;
import dev.trainyard.api.Model;
import dev.trainyard.api.ModelExport;
import dev.trainyard.api.Page;
import dev.trainyard.api.PredictRequest;
import dev.trainyard.api.Project;
import dev.trainyard.api.TrainModelRequest;
import dev.trainyard.api.UpdateProjectRequest;
import dev.trainyard.client.Trainyard;
import dev.trainyard.client.TrainyardException;
import dev.trainyard.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
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
    void clientSubmitsFollowsWaitsAndPagesJobs() {
        try (TestServer server = TestServer.start()) {
            Trainyard client = Trainyard.builder()
                    .baseUrl(server.baseUrl())
                    .apiKey(server.adminKey())
                    .build();
            Project project = client.createProject(new CreateProjectRequest("client-jobs", null, null));
            CreateJobRequest request = CreateJobRequest.command(
                    "counting",
                    project.id(),
                    "for i in 1 2 3; do echo line-$i; echo '::trainyard progress percent='$((i * 30)); sleep 0.3; done");

            Job job = client.submitJob(request, "client-run-1");
            assertThat(client.submitJob(request, "client-run-1").id()).isEqualTo(job.id());
            List<String> followed;
            try (Stream<JobLogs.Line> lines = client.followLogs(job.id(), 0)) {
                followed = lines.map(JobLogs.Line::text)
                        .filter(text -> text.startsWith("line-"))
                        .toList();
            }
            assertThat(followed).containsExactly("line-1", "line-2", "line-3");
            List<Double> seen = new ArrayList<>();
            Job ended = client.awaitJob(job.id(), Duration.ofMillis(100), progress -> seen.add(progress.percent()));
            assertThat(ended.state()).isEqualTo(JobState.COMPLETED);
            assertThat(seen.getLast()).isEqualTo(100.0);
            assertThat(client.logs(job.id(), 0, 1000).complete()).isTrue();
            assertThat(client.balance().currency()).isEqualTo("credits");

            for (int i = 0; i < 105; i++) {
                client.submitJob(CreateJobRequest.command("n" + i, project.id(), "true"), null);
            }
            // More than one page (100) is read lazily, and in order.
            assertThat(client.jobs(project.id(), null).count()).isEqualTo(106);
            assertThat(client.jobs(project.id(), null).map(Job::id).distinct().count())
                    .isEqualTo(106);
            assertThat(client.jobs(project.id(), "completed").allMatch(listed -> listed.state() == JobState.COMPLETED))
                    .isTrue();
            assertThatThrownBy(() -> client.stopJob("j-doesnotexist0"))
                    .isInstanceOfSatisfying(
                            TrainyardException.class,
                            e -> assertThat(e.status()).isEqualTo(404));
        }
    }

    @Test
    void clientStreamsDatasetsTrainsExportsAndReadsCreditsAndKeys(@org.junit.jupiter.api.io.TempDir Path work)
            throws Exception {
        try (TestServer server = TestServer.start()) {
            Trainyard client = Trainyard.builder()
                    .baseUrl(server.baseUrl())
                    .apiKey(server.adminKey())
                    .build();
            Project project = client.createProject(new CreateProjectRequest("client-models", null, null));
            StringBuilder csv = new StringBuilder("x,label\n");
            for (int i = 0; i < 400; i++) {
                csv.append(i % 2 == 0 ? -2 + (i % 7) * 0.1 : 2 - (i % 7) * 0.1)
                        .append(',')
                        .append(i % 2 == 0 ? "a" : "b")
                        .append('\n');
            }
            Path file = Files.writeString(work.resolve("points.csv"), csv);

            Dataset dataset = client.uploadDataset(project.id(), "points.csv", file);
            assertThat(dataset.rows()).isEqualTo(400);
            assertThat(client.datasets(project.id()).map(Dataset::id)).containsExactly(dataset.id());
            Path back = client.downloadDataset(project.id(), dataset.id(), work.resolve("back.csv"));
            assertThat(Files.readString(back)).isEqualTo(csv.toString());

            Model model = client.createModel(
                    project.id(),
                    new CreateModelRequest(
                            "points",
                            "classification",
                            dataset.id(),
                            "label",
                            null,
                            "linear",
                            null,
                            null,
                            null,
                            null,
                            null));
            Job training = client.trainModel(project.id(), model.id(), new TrainModelRequest(3, null, null, null));
            assertThat(client.awaitJob(training.id(), Duration.ofMillis(200), progress -> {})
                            .state())
                    .isEqualTo(JobState.COMPLETED);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> !client.getModel(project.id(), model.id())
                            .versions()
                            .isEmpty());
            assertThat(client.predict(project.id(), model.id(), new PredictRequest(List.of(Map.of("x", 1.9))))
                            .predictions()
                            .getFirst()
                            .output())
                    .isEqualTo("b");
            Job export = client.exportModel(project.id(), model.id(), new ExportModelRequest("onnx", null));
            client.awaitJob(export.id(), Duration.ofMillis(200), progress -> {});
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> !client.exports(project.id(), model.id()).isEmpty());
            ModelExport exported = client.exports(project.id(), model.id()).getFirst();
            Path onnx = client.downloadExport(project.id(), model.id(), exported.name(), work.resolve("model.onnx"));
            assertThat(Files.size(onnx)).isEqualTo(exported.sizeBytes());

            assertThat(client.transactions("usage", training.id()).count()).isPositive();
            assertThat(client.prices().gpuHour()).containsKey("H100");
            assertThat(client.sufficient(java.math.BigDecimal.ONE).sufficient()).isTrue();
            assertThat(client.sufficient("H100", 8, 4, new java.math.BigDecimal("16"), new java.math.BigDecimal("100"))
                            .required())
                    .isEqualByComparingTo("2016");
            CreatedApiKey key = client.createApiKey(new CreateApiKeyRequest("ci", null));
            assertThat(client.apiKeys().map(ApiKey::id)).contains(key.apiKey().id());
            client.revokeApiKey(key.apiKey().id());
            assertThat(client.organizations().count()).isPositive();
        }
    }

    @Test
    void clientCoversAdministrationOrganizationsReportingAndArtifacts(@org.junit.jupiter.api.io.TempDir Path work)
            throws Exception {
        try (TestServer server = TestServer.start()) {
            Trainyard admin = Trainyard.builder()
                    .baseUrl(server.baseUrl())
                    .apiKey(server.adminKey())
                    .build();
            dev.trainyard.api.CreatedUser carol = admin.createUser(
                    new dev.trainyard.api.CreateUserRequest("carol", "carol@example.com", null, false));
            assertThat(admin.users().map(dev.trainyard.api.User::username)).contains("admin", "carol");
            assertThat(admin.stats().users()).isEqualTo(2);
            dev.trainyard.api.TokenPair pair =
                    admin.login(new dev.trainyard.api.LoginRequest("carol", carol.password()));
            assertThat(admin.refresh(new dev.trainyard.api.RefreshRequest(pair.refreshToken()))
                            .token())
                    .isNotBlank();

            dev.trainyard.api.Organization team =
                    admin.createOrganization(new dev.trainyard.api.CreateOrganizationRequest("client-team"));
            admin.addMember(team.id(), new dev.trainyard.api.AddMemberRequest("carol", dev.trainyard.api.Role.VIEWER));
            assertThat(admin.changeRole(
                                    team.id(),
                                    carol.user().id(),
                                    new dev.trainyard.api.ChangeRoleRequest(dev.trainyard.api.Role.MEMBER))
                            .role())
                    .isEqualTo(dev.trainyard.api.Role.MEMBER);
            admin.removeMember(team.id(), carol.user().id());
            assertThat(admin.members(team.id()).count()).isEqualTo(1);
            assertThat(admin.getOrganization(team.id()).name()).isEqualTo("client-team");
            assertThat(admin.grant(new dev.trainyard.api.CreditGrantRequest(
                                    team.id(), java.math.BigDecimal.TEN, "test grant"))
                            .type())
                    .isEqualTo("grant");
            assertThat(admin.verifyLedger().consistent()).isTrue();

            Project project = admin.createProject(new CreateProjectRequest("client-reporting", null, team.id()));
            assertThat(admin.activity(project.id()).count()).isPositive();
            Job job = admin.submitJob(CreateJobRequest.command("reported", project.id(), "sleep 3"), null);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> admin.getJob(job.id()).state() == JobState.RUNNING);
            assertThat(admin.reportProgress(
                                    job.id(), new dev.trainyard.api.ProgressUpdate(40.0, null, null, null, null, "hi"))
                            .percent())
                    .isEqualTo(40.0);
            admin.reportMetrics(job.id(), List.of(new dev.trainyard.api.MetricInput("loss", 0.5, 1L, null)));
            assertThat(admin.metricNames(job.id()).metrics()).contains("loss");
            Path file = Files.writeString(work.resolve("notes.txt"), "hello");
            assertThat(admin.uploadArtifact(job.id(), "notes.txt", file).sizeBytes())
                    .isEqualTo(5);
            List<Double> followed;
            try (Stream<dev.trainyard.api.MetricSeries.Point> points = admin.followMetric(job.id(), "loss")) {
                followed =
                        points.map(dev.trainyard.api.MetricSeries.Point::value).toList();
            }
            assertThat(followed).containsExactly(0.5);
            assertThat(admin.artifacts(job.id())).hasSize(1);
            Path back = admin.downloadArtifact(job.id(), "notes.txt", work.resolve("back.txt"));
            assertThat(Files.readString(back)).isEqualTo("hello");
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
