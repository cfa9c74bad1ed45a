package dev.trainyard.server.job;

import static dev.trainyard.server.job.JobTesting.awaitEnd;
import static dev.trainyard.server.job.JobTesting.body;
import static dev.trainyard.server.job.JobTesting.completeLog;
import static dev.trainyard.server.job.JobTesting.project;
import static dev.trainyard.server.job.JobTesting.submit;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trainyard.server.testing.HttpResponse;
import dev.trainyard.server.testing.TestServer;
import org.junit.jupiter.api.Test;

class JobTokenTest {
    @Test
    void aJobTokenCannotCallUsersRoutesAndDiesWithItsJob() {
        try (TestServer server = TestServer.start()) {
            String[] admin = {"X-API-KEY", server.adminKey()};
            String project = project(server, admin, "tokens");
            String id = submit(
                            server,
                            admin,
                            body(
                                    project,
                                    "echo token=$TRAINYARD_JOB_TOKEN; curl -s -o /dev/null -w 'projects=%{http_code}\\n' "
                                            + "-H \"Authorization: Bearer $TRAINYARD_JOB_TOKEN\" $TRAINYARD_URL/api/projects"))
                    .get("id")
                    .asText();

            assertThat(awaitEnd(server, admin, id).get("state").asText()).isEqualTo("COMPLETED");
            String log = completeLog(server, admin, id);
            assertThat(log).contains("projects=403");
            String token = log.lines()
                    .filter(line -> line.startsWith("token="))
                    .findFirst()
                    .orElseThrow()
                    .substring("token=".length());
            assertThat(token).startsWith("tyj_" + id + ".");

            HttpResponse afterEnd = server.get("/api/auth/me", "Authorization", "Bearer " + token);
            assertThat(afterEnd.status()).isEqualTo(401);
            assertThat(afterEnd.json().get("detail").asText()).contains("ended");
        }
    }
}
