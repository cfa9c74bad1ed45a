package dev.trainyard.server.project;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trainyard.server.testing.HttpResponse;
import dev.trainyard.server.testing.TestServer;
import dev.trainyard.server.testing.TestServer.TestUser;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ProjectApiTest {
    private static TestServer server;
    private static TestUser alice;
    private static TestUser bob;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        alice = server.createUser("alice");
        bob = server.createUser("bob");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void createsGetsUpdatesAndDeletesAProject() {
        HttpResponse created =
                server.post("/api/projects", "{\"name\":\"mnist\",\"description\":\"digits\"}", alice.auth());
        assertThat(created.status()).isEqualTo(201);
        JsonNode project = created.json();
        String id = project.get("id").asText();
        assertThat(id).matches("p-[a-z2-7]{16}");
        assertThat(project.get("organization").asText()).isEqualTo(alice.personalOrganization());
        assertThat(project.get("created_by").get("username").asText()).isEqualTo("alice");

        assertThat(server.get("/api/projects/" + id, alice.auth())
                        .json()
                        .get("description")
                        .asText())
                .isEqualTo("digits");

        HttpResponse patched =
                server.patch("/api/projects/" + id, "{\"description\":\"handwritten digits\"}", alice.auth());
        assertThat(patched.status()).isEqualTo(200);
        assertThat(patched.json().get("name").asText()).isEqualTo("mnist");
        assertThat(patched.json().get("description").asText()).isEqualTo("handwritten digits");

        assertThat(server.delete("/api/projects/" + id, alice.auth()).status()).isEqualTo(204);
        assertThat(server.get("/api/projects/" + id, alice.auth()).status()).isEqualTo(404);
    }

    @Test
    void listsWithSkipTakeAndTheirSynonyms() {
        TestUser carol = server.createUser("carol");
        for (int i = 0; i < 5; i++) {
            server.post("/api/projects", "{\"name\":\"run-" + i + "\"}", carol.auth());
        }

        JsonNode firstPage =
                server.get("/api/projects?skip=0&take=2", carol.auth()).json();
        assertThat(firstPage.get("total").asInt()).isEqualTo(5);
        assertThat(firstPage.get("take").asInt()).isEqualTo(2);
        assertThat(names(firstPage)).containsExactly("run-4", "run-3");
        assertThat(names(server.get("/api/projects?offset=2&limit=2", carol.auth())
                        .json()))
                .containsExactly("run-2", "run-1");
        assertThat(names(
                        server.get("/api/projects?skip=4&take=10", carol.auth()).json()))
                .containsExactly("run-0");
        assertThat(server.get("/api/projects", carol.auth()).json().get("take").asInt())
                .isEqualTo(20);
    }

    @Test
    void refusesBadPaging() {
        assertThat(server.get("/api/projects?take=0", alice.auth()).status()).isEqualTo(400);
        assertThat(server.get("/api/projects?take=501", alice.auth()).status()).isEqualTo(400);
        assertThat(server.get("/api/projects?skip=-1", alice.auth()).status()).isEqualTo(400);
        HttpResponse notNumber = server.get("/api/projects?take=ten", alice.auth());
        assertThat(notNumber.status()).isEqualTo(400);
        assertThat(notNumber.json().get("errors").get(0).get("field").asText()).isEqualTo("take");
    }

    @Test
    void anotherOrganizationsProjectIsNotFoundOnEveryRoute() {
        String id = server.post("/api/projects", "{\"name\":\"secret\"}", alice.auth())
                .json()
                .get("id")
                .asText();

        assertThat(server.get("/api/projects/" + id, bob.auth()).status()).isEqualTo(404);
        assertThat(server.patch("/api/projects/" + id, "{\"name\":\"mine\"}", bob.auth())
                        .status())
                .isEqualTo(404);
        assertThat(server.delete("/api/projects/" + id, bob.auth()).status()).isEqualTo(404);
        assertThat(server.get("/api/projects/" + id + "/download", bob.auth()).status())
                .isEqualTo(404);
        assertThat(server.get("/api/projects/" + id + "/activity", bob.auth()).status())
                .isEqualTo(404);
        assertThat(server.get("/api/projects", bob.auth()).body()).doesNotContain(id);
        assertThat(server.get("/api/projects?org=" + alice.personalOrganization(), bob.auth())
                        .status())
                .isEqualTo(404);
        assertThat(server.post(
                                "/api/projects",
                                "{\"name\":\"intrude\",\"organization\":\"" + alice.personalOrganization() + "\"}",
                                bob.auth())
                        .status())
                .isEqualTo(404);
        // Still there, unchanged, for its owner.
        assertThat(server.get("/api/projects/" + id, alice.auth())
                        .json()
                        .get("name")
                        .asText())
                .isEqualTo("secret");
    }

    @Test
    void viewersReadMembersWriteAndOnlyManagersDelete() {
        TestUser owner = server.createUser("owner1");
        TestUser viewer = server.createUser("viewer1");
        TestUser member = server.createUser("member1");
        String org = server.post("/api/organizations", "{\"name\":\"vision team\"}", owner.auth())
                .json()
                .get("id")
                .asText();
        addMember(owner, org, viewer, "viewer");
        addMember(owner, org, member, "member");
        String id = server.post(
                        "/api/projects", "{\"name\":\"detector\",\"organization\":\"" + org + "\"}", owner.auth())
                .json()
                .get("id")
                .asText();

        assertThat(server.get("/api/projects/" + id, viewer.auth()).status()).isEqualTo(200);
        assertThat(server.get("/api/projects?org=" + org, viewer.auth())
                        .json()
                        .get("total")
                        .asInt())
                .isEqualTo(1);
        HttpResponse viewerPatch = server.patch("/api/projects/" + id, "{\"name\":\"x\"}", viewer.auth());
        assertThat(viewerPatch.status()).isEqualTo(403);
        assertThat(viewerPatch.json().get("code").asText()).isEqualTo("forbidden");
        assertThat(server.post("/api/projects", "{\"name\":\"v\",\"organization\":\"" + org + "\"}", viewer.auth())
                        .status())
                .isEqualTo(403);
        assertThat(server.delete("/api/projects/" + id, viewer.auth()).status()).isEqualTo(403);

        assertThat(server.patch("/api/projects/" + id, "{\"name\":\"detector-v2\"}", member.auth())
                        .status())
                .isEqualTo(200);
        assertThat(server.delete("/api/projects/" + id, member.auth()).status()).isEqualTo(403);
        assertThat(server.delete("/api/projects/" + id, owner.auth()).status()).isEqualTo(204);
    }

    @Test
    void duplicateNameInOneOrganizationIsAConflict() {
        server.post("/api/projects", "{\"name\":\"twice\"}", alice.auth());
        HttpResponse again = server.post("/api/projects", "{\"name\":\"twice\"}", alice.auth());

        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().get("code").asText()).isEqualTo("already_exists");
        assertThat(server.post("/api/projects", "{\"name\":\"twice\"}", bob.auth())
                        .status())
                .isEqualTo(201);
    }

    @Test
    void validatesFields() {
        assertField(server.post("/api/projects", "{}", alice.auth()), "name");
        assertField(server.post("/api/projects", "{\"name\":\"  \"}", alice.auth()), "name");
        assertField(server.post("/api/projects", "{\"name\":\"" + "n".repeat(101) + "\"}", alice.auth()), "name");
        assertField(server.post("/api/projects", "{\"name\":5}", alice.auth()), "name");
        assertField(
                server.post("/api/projects", "{\"name\":\"ok\",\"descripton\":\"typo\"}", alice.auth()), "descripton");
        assertThat(server.post("/api/projects", "{\"name\":\"ok\",\"organization\":\"../../etc\"}", alice.auth())
                        .status())
                .isEqualTo(404);
        assertThat(server.get("/api/projects/not-an-id", alice.auth()).status()).isEqualTo(404);
    }

    @Test
    void recordsActivity() {
        String id = server.post("/api/projects", "{\"name\":\"audited\"}", alice.auth())
                .json()
                .get("id")
                .asText();
        server.patch("/api/projects/" + id, "{\"name\":\"audited-2\"}", alice.auth());

        JsonNode activity =
                server.get("/api/projects/" + id + "/activity", alice.auth()).json();
        assertThat(activity.get("total").asInt()).isEqualTo(2);
        assertThat(activity.get("items").get(0).get("action").asText()).isEqualTo("project.updated");
        assertThat(activity.get("items").get(0).get("detail").asText()).contains("audited -> audited-2");
        assertThat(activity.get("items").get(1).get("action").asText()).isEqualTo("project.created");
        assertThat(activity.get("items").get(1).get("actor").get("username").asText())
                .isEqualTo("alice");
    }

    @Test
    void downloadsAZipWithTheManifest() throws IOException {
        String id = server.post("/api/projects", "{\"name\":\"archived run\",\"description\":\"zip me\"}", alice.auth())
                .json()
                .get("id")
                .asText();

        HttpResponse download = server.get("/api/projects/" + id + "/download", alice.auth());

        assertThat(download.status()).isEqualTo(200);
        assertThat(download.header("Content-Type")).isEqualTo("application/zip");
        assertThat(download.header("Content-Disposition")).contains("archived-run-" + id + ".zip");
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(download.bytes()))) {
            ZipEntry entry = zip.getNextEntry();
            assertThat(entry.getName()).isEqualTo("project.json");
            JsonNode manifest = new ObjectMapper().readTree(zip.readAllBytes());
            assertThat(manifest.get("format_version").asInt()).isEqualTo(2);
            assertThat(manifest.get("models").isArray()).isTrue();
            assertThat(manifest.get("project").get("id").asText()).isEqualTo(id);
            assertThat(manifest.get("project").get("description").asText()).isEqualTo("zip me");
            assertThat(manifest.get("activity").get(0).get("action").asText()).isEqualTo("project.created");
        }
    }

    private static void addMember(TestUser owner, String org, TestUser user, String role) {
        HttpResponse added = server.post(
                "/api/organizations/" + org + "/members",
                "{\"user\":\"" + user.username() + "\",\"role\":\"" + role + "\"}",
                owner.auth());
        assertThat(added.status()).as(added.toString()).isEqualTo(201);
    }

    private static void assertField(HttpResponse response, String field) {
        assertThat(response.status()).as(response.toString()).isEqualTo(400);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.json().get("errors").get(0).get("field").asText()).isEqualTo(field);
    }

    private static List<String> names(JsonNode page) {
        List<String> names = new ArrayList<>();
        page.get("items").forEach(item -> names.add(item.get("name").asText()));
        return names;
    }
}
