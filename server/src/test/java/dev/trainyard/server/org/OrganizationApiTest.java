package dev.trainyard.server.org;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trainyard.server.testing.HttpResponse;
import dev.trainyard.server.testing.TestServer;
import dev.trainyard.server.testing.TestServer.TestUser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OrganizationApiTest {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void everyUserHasAPersonalOrganization() {
        TestUser dana = server.createUser("dana");

        JsonNode organizations = server.get("/api/organizations", dana.auth()).json();

        assertThat(organizations.get("total").asInt()).isEqualTo(1);
        JsonNode personal = organizations.get("items").get(0);
        assertThat(personal.get("id").asText()).isEqualTo(dana.personalOrganization());
        assertThat(personal.get("personal").asBoolean()).isTrue();
        assertThat(personal.get("role").asText()).isEqualTo("owner");
    }

    @Test
    void createsOrganizationAndManagesMembers() {
        TestUser owner = server.createUser("erin");
        TestUser frank = server.createUser("frank");
        HttpResponse created = server.post("/api/organizations", "{\"name\":\"NLP lab\"}", owner.auth());
        assertThat(created.status()).isEqualTo(201);
        String org = created.json().get("id").asText();
        assertThat(org).startsWith("o-");
        assertThat(created.json().get("role").asText()).isEqualTo("owner");

        assertThat(server.get("/api/organizations/" + org, frank.auth()).status())
                .isEqualTo(404);
        HttpResponse added = server.post(
                "/api/organizations/" + org + "/members",
                "{\"user\":\"" + frank.id() + "\",\"role\":\"viewer\"}",
                owner.auth());
        assertThat(added.status()).isEqualTo(201);
        assertThat(server.get("/api/organizations/" + org, frank.auth())
                        .json()
                        .get("role")
                        .asText())
                .isEqualTo("viewer");

        JsonNode members = server.get("/api/organizations/" + org + "/members", frank.auth())
                .json();
        assertThat(members.get("total").asInt()).isEqualTo(2);
        assertThat(members.get("items").get(1).get("user").get("username").asText())
                .isEqualTo("frank");

        assertThat(server.post("/api/organizations/" + org + "/members", "{\"user\":\"admin\"}", frank.auth())
                        .status())
                .isEqualTo(403);
        assertThat(server.patch(
                                "/api/organizations/" + org + "/members/" + frank.id(),
                                "{\"role\":\"admin\"}",
                                owner.auth())
                        .json()
                        .get("role")
                        .asText())
                .isEqualTo("admin");
        // An admin may add members but not owners.
        assertThat(server.post(
                                "/api/organizations/" + org + "/members",
                                "{\"user\":\"admin\",\"role\":\"owner\"}",
                                frank.auth())
                        .status())
                .isEqualTo(403);
        assertThat(server.post(
                                "/api/organizations/" + org + "/members",
                                "{\"user\":\"admin\",\"role\":\"member\"}",
                                frank.auth())
                        .status())
                .isEqualTo(201);

        assertThat(server.delete("/api/organizations/" + org + "/members/" + frank.id(), owner.auth())
                        .status())
                .isEqualTo(204);
        assertThat(server.get("/api/organizations/" + org, frank.auth()).status())
                .isEqualTo(404);
    }

    @Test
    void theLastOwnerCannotLeaveOrBeDemoted() {
        TestUser owner = server.createUser("gina");
        String org = server.post("/api/organizations", "{\"name\":\"solo\"}", owner.auth())
                .json()
                .get("id")
                .asText();

        assertThat(server.delete("/api/organizations/" + org + "/members/" + owner.id(), owner.auth())
                        .status())
                .isEqualTo(409);
        assertThat(server.patch(
                                "/api/organizations/" + org + "/members/" + owner.id(),
                                "{\"role\":\"member\"}",
                                owner.auth())
                        .status())
                .isEqualTo(409);
    }

    @Test
    void refusesBadMemberRequests() {
        TestUser owner = server.createUser("hank");
        String org = server.post("/api/organizations", "{\"name\":\"checks\"}", owner.auth())
                .json()
                .get("id")
                .asText();

        assertThat(server.post("/api/organizations/" + org + "/members", "{\"user\":\"nobody-here\"}", owner.auth())
                        .status())
                .isEqualTo(404);
        HttpResponse badRole = server.post(
                "/api/organizations/" + org + "/members", "{\"user\":\"admin\",\"role\":\"emperor\"}", owner.auth());
        assertThat(badRole.status()).isEqualTo(400);
        assertThat(badRole.json().get("errors").get(0).get("field").asText()).isEqualTo("role");
        assertThat(server.post(
                                "/api/organizations/" + owner.personalOrganization() + "/members",
                                "{\"user\":\"admin\"}",
                                owner.auth())
                        .status())
                .isEqualTo(409);
        server.post("/api/organizations/" + org + "/members", "{\"user\":\"admin\"}", owner.auth());
        assertThat(server.post("/api/organizations/" + org + "/members", "{\"user\":\"admin\"}", owner.auth())
                        .status())
                .isEqualTo(409);
        assertThat(server.post("/api/organizations", "{\"name\":\"\"}", owner.auth())
                        .status())
                .isEqualTo(400);
    }
}
