package dev.trainyard.server.job;

import static dev.trainyard.server.job.JobTesting.awaitEnd;
import static dev.trainyard.server.job.JobTesting.body;
import static dev.trainyard.server.job.JobTesting.completeLog;
import static dev.trainyard.server.job.JobTesting.project;
import static dev.trainyard.server.job.JobTesting.submit;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trainyard.server.testing.TestServer;
import org.junit.jupiter.api.Test;

/** A job uploads files through its reporting channel; members list and download them. */
class ArtifactApiTest {
    private static String upload(String name, String file) {
        return "curl -s -o /dev/null -w '" + name + "=%{http_code}\\n' -X POST -H 'Expect:'"
                + " -H \"Authorization: Bearer $TRAINYARD_JOB_TOKEN\" --data-binary @" + file
                + " \"$TRAINYARD_URL/api/jobs/$TRAINYARD_JOB_ID/artifacts?name=" + name + "\"";
    }

    @Test
    void aJobUploadsItsFilesAndMembersDownloadThem() {
        try (TestServer server = TestServer.start()) {
            String[] admin = {"X-API-KEY", server.adminKey()};
            String project = project(server, admin, "artifacts");
            String id = submit(
                            server,
                            admin,
                            body(
                                    project,
                                    "printf 'weights v1' > model.bin; " + upload("model.bin", "model.bin") + "; "
                                            + upload("model.bin", "model.bin") + "; " + upload(".hidden", "model.bin")))
                    .get("id")
                    .asText();
            awaitEnd(server, admin, id);

            assertThat(completeLog(server, admin, id)).contains("model.bin=201", "model.bin=409", ".hidden=400");
            JsonNode list = server.get("/api/jobs/" + id + "/artifacts", admin).json();
            assertThat(list).hasSize(1);
            assertThat(list.get(0).get("size_bytes").asLong()).isEqualTo(10);
            assertThat(server.get("/api/jobs/" + id + "/artifacts/model.bin", admin)
                            .body())
                    .isEqualTo("weights v1");
            assertThat(server.get("/api/jobs/" + id + "/artifacts/other.bin", admin)
                            .status())
                    .isEqualTo(404);
            assertThat(server.post("/api/jobs/" + id + "/artifacts?name=late.bin", "x", admin)
                            .status())
                    .isEqualTo(409);

            TestServer.TestUser stranger = server.createUser("artifact-stranger");
            assertThat(server.get("/api/jobs/" + id + "/artifacts", stranger.auth())
                            .status())
                    .isEqualTo(404);
            assertThat(server.get("/api/jobs/" + id + "/artifacts/model.bin", stranger.auth())
                            .status())
                    .isEqualTo(404);
        }
    }
}
