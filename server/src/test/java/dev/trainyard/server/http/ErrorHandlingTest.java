package dev.trainyard.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainyard.server.testing.HttpResponse;
import dev.trainyard.server.testing.TestServer;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ErrorHandlingTest {
    private static TestServer server;
    private static String[] admin;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        admin = new String[] {"X-API-KEY", server.adminKey()};
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{",
                "{\"name\":}",
                "[]",
                "\"just a string\"",
                "42",
                "null",
                "{\"name\":\"a\"} trailing",
                "{\"name\":[\"a\"]}",
                "{\"name\":{\"nested\":1}}",
                "{\"name\":true}",
                "{\"name\":\"ok\",\"description\":7}",
                "\u0000\u0001\u0002",
                "{\"name\":\"\\ud800\"}"
            })
    void malformedOrMistypedBodiesAre400ProblemsAndCreateNothing(String body) {
        long before = projectCount();

        HttpResponse response = server.post("/api/projects", body, admin);

        assertThat(response.status()).as(body + " -> " + response).isBetween(400, 499);
        assertProblem(response);
        assertThat(projectCount()).isEqualTo(before);
    }

    @Test
    void emptyBodyIsABadRequest() {
        HttpResponse response = server.post("/api/projects", "", admin);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().get("code").asText()).isEqualTo("malformed_request");
    }

    @Test
    void nonJsonContentTypeIsRefused() {
        HttpResponse response =
                server.post("/api/projects", "name=x", "Content-Type", "text/plain", admin[0], admin[1]);

        assertThat(response.status()).isEqualTo(415);
        assertProblem(response);
    }

    @Test
    void oversizedBodyIs413() {
        String huge = "{\"name\":\"big\",\"description\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}";

        HttpResponse response = server.post("/api/projects", huge, admin);

        assertThat(response.status()).isEqualTo(413);
        assertProblem(response);
        assertThat(response.json().get("code").asText()).isEqualTo("too_large");
    }

    @Test
    void unknownRouteAndWrongMethodAreProblems() {
        HttpResponse missing = server.get("/api/does-not-exist", admin);
        assertThat(missing.status()).isEqualTo(404);
        assertProblem(missing);

        HttpResponse wrongMethod = server.call("PUT", "/api/projects", "{}", admin);
        assertThat(wrongMethod.status()).isEqualTo(405);
        assertProblem(wrongMethod);
    }

    @Test
    void oddIdsAndQueriesNeverFail500() {
        for (String path : List.of(
                "/api/projects/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
                "/api/projects/" + "p".repeat(5000),
                "/api/projects/p-'%20OR%201=1--",
                "/api/projects?org=%00",
                "/api/projects?take=99999999999999999999",
                "/api/projects?skip=1e3",
                "/api/organizations/o-%F0%9F%98%80/members",
                "/api/projects/p-aaaaaaaaaaaaaaaa/activity?take=-5")) {
            HttpResponse response = server.get(path, admin);
            assertThat(response.status()).as(path + " -> " + response).isBetween(400, 499);
            assertProblem(response);
        }
    }

    @Test
    void problemsCarryNoStackTraceOrJavaNames() {
        HttpResponse response = server.post("/api/projects", "{\"name\":[1,2]}", admin);

        assertThat(response.body())
                .doesNotContain("java.")
                .doesNotContain("Exception")
                .doesNotContain("at dev.trainyard")
                .doesNotContain("com.fasterxml");
    }

    private static long projectCount() {
        return server.get("/api/projects", admin).json().get("total").asLong();
    }

    private static void assertProblem(HttpResponse response) {
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.json().get("status").asInt()).isEqualTo(response.status());
        assertThat(response.json().get("code").asText()).isNotBlank();
        assertThat(response.json().get("detail").asText()).isNotBlank();
        assertThat(response.json().get("request_id").asText()).isEqualTo(response.header("X-Request-Id"));
    }
}
