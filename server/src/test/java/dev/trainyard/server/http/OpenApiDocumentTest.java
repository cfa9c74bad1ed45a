package dev.trainyard.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trainyard.server.testing.HttpResponse;
import dev.trainyard.server.testing.TestServer;
import io.javalin.http.HandlerType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OpenApiDocumentTest {
    private static final Set<String> HTTP_METHODS =
            Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
    private static final Pattern URL_ATTRIBUTE = Pattern.compile("(?:src|href)\\s*=\\s*[\"']([^\"']*)[\"']");

    private static TestServer server;
    private static JsonNode document;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        HttpResponse answer = server.get("/openapi.json");
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.header("Content-Type")).startsWith("application/json");
        document = answer.json();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void describesExactlyTheRoutesTheServerRegistered() {
        Set<String> registered = server.server().registeredHandlers().stream()
                .filter(handler -> HandlerType.findOrDefault(handler.substring(0, handler.indexOf(' ')))
                        .isHttpMethod())
                .collect(Collectors.toSet());

        assertThat(operations().keySet()).isEqualTo(registered).contains("GET /openapi.json", "GET /docs");
    }

    @Test
    void isOpenApi31WithUniqueOperationIds() {
        assertThat(document.get("openapi").asText()).startsWith("3.1.");
        assertThat(document.at("/info/title").asText()).isEqualTo("Trainyard API");
        assertThat(document.at("/info/description").asText()).contains("/api/auth/token", "problem+json", "skip");
        List<String> ids = new ArrayList<>();
        operations()
                .values()
                .forEach(operation -> ids.add(operation.get("operationId").asText()));
        assertThat(ids).doesNotHaveDuplicates().contains("getProjectsByProjectId");
    }

    @Test
    void schemasNameFieldsAsTheServerWritesThem() {
        JsonNode schemas = document.at("/components/schemas");
        JsonNode project = schemas.at("/Project/properties");
        assertThat(fieldNames(project)).contains("organization", "created_by", "created_at", "updated_at");
        assertThat(project.at("/created_at/type").asText()).isEqualTo("string");
        assertThat(project.at("/created_at/format").asText()).isEqualTo("date-time");

        JsonNode page = schemas.at("/PageProject/properties");
        assertThat(fieldNames(page)).containsExactlyInAnyOrder("items", "total", "skip", "take");
        assertThat(page.at("/items/items/$ref").asText()).isEqualTo("#/components/schemas/Project");
        assertThat(schemas.has("PageOrganization")).isTrue();

        schemas.properties()
                .forEach(schema -> assertThat(fieldNames(schema.getValue().path("properties")))
                        .as("properties of %s", schema.getKey())
                        .allMatch(name -> name.matches("[a-z][a-z0-9_]*")));
    }

    @Test
    void schemasMatchWhatTheServerAnswers() {
        String[] admin = {"X-API-KEY", server.adminKey()};
        HttpResponse me = server.get("/api/auth/me", admin);
        HttpResponse projects = server.get("/api/projects", admin);

        assertThat(me.status()).isEqualTo(200);
        assertThat(fieldNames(me.json()))
                .containsExactlyInAnyOrderElementsOf(fieldNames(document.at("/components/schemas/Me/properties")));
        assertThat(fieldNames(projects.json()))
                .containsExactlyInAnyOrderElementsOf(
                        fieldNames(document.at("/components/schemas/PageProject/properties")));
    }

    @Test
    void publicRoutesNeedNoCredentialsAndOthersABearerOrAnApiKey() {
        Map<String, Access> access = new HashMap<>();
        server.server().routes().forEach(route -> access.put(route.method() + " " + route.path(), route.access()));

        operations().forEach((operation, body) -> {
            JsonNode security = body.get("security");
            if (access.get(operation) == Access.PUBLIC) {
                assertThat(security.isEmpty()).as(operation).isTrue();
            } else {
                assertThat(security.toString()).as(operation).isEqualTo("[{\"bearer\":[]},{\"apiKey\":[]}]");
            }
        });
        JsonNode schemes = document.at("/components/securitySchemes");
        assertThat(schemes.at("/bearer/scheme").asText()).isEqualTo("bearer");
        assertThat(schemes.at("/bearer/bearerFormat").asText()).isEqualTo("JWT");
        assertThat(schemes.at("/apiKey/in").asText()).isEqualTo("header");
        assertThat(schemes.at("/apiKey/name").asText()).isEqualTo("X-API-KEY");
    }

    @Test
    void everyErrorIsAProblem() {
        operations().forEach((operation, body) -> {
            List<String> errors = new ArrayList<>();
            body.get("responses").properties().forEach(response -> {
                if (response.getKey().charAt(0) >= '4') {
                    errors.add(response.getKey());
                    assertThat(response.getValue()
                                    .at("/content/application~1problem+json/schema/$ref")
                                    .asText())
                            .as("%s answers %s", operation, response.getKey())
                            .isEqualTo("#/components/schemas/Problem");
                }
            });
            assertThat(errors).as(operation).contains("500");
        });
        assertThat(operations().get("POST /api/auth/token").at("/responses/429/headers/Retry-After"))
                .isNotNull()
                .isNotEmpty();
        assertThat(operations().get("GET /api/admin/users").at("/responses").has("403"))
                .isTrue();
        assertThat(fieldNames(document.at("/components/schemas/Problem/properties")))
                .containsExactlyInAnyOrder("type", "title", "status", "detail", "code", "request_id", "errors");
    }

    @Test
    void everyReferenceResolves() {
        Set<String> references = new HashSet<>();
        collect(document, (key, value) -> {
            if (key.equals("$ref")) {
                references.add(value.asText());
            }
        });
        assertThat(references)
                .isNotEmpty()
                .allSatisfy(reference -> assertThat(document.at(reference.substring(1)))
                        .as(reference)
                        .isNotNull()
                        .isNotEmpty());
    }

    @Test
    void theReferencePageLoadsNothingFromOtherHosts() {
        HttpResponse page = server.get("/docs");

        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("Content-Type")).startsWith("text/html");
        assertThat(page.header("Content-Security-Policy")).startsWith("default-src 'self'");
        assertThat(page.body()).doesNotContain("http://", "https://").contains("/openapi.json");
        List<String> urls = new ArrayList<>();
        Matcher matcher = URL_ATTRIBUTE.matcher(page.body());
        while (matcher.find()) {
            urls.add(matcher.group(1));
        }
        assertThat(urls).isNotEmpty().allMatch(url -> url.startsWith("/") && !url.startsWith("//"));
        for (String url : urls) {
            HttpResponse script = server.get(url);
            assertThat(script.status()).as(url).isEqualTo(200);
            assertThat(script.header("Content-Type")).as(url).startsWith("application/javascript");
            assertThat(script.body()).as(url).contains("createApiReference");
        }
    }

    @Test
    void theScriptIsCachedByETag() {
        HttpResponse first = server.get(DocsRoutes.SCRIPT_PATH);
        String etag = first.header("ETag");

        assertThat(etag).isNotBlank();
        HttpResponse again = server.get(DocsRoutes.SCRIPT_PATH, "If-None-Match", etag);
        assertThat(again.status()).isEqualTo(304);
        assertThat(again.bytes()).isEmpty();
        assertThat(server.get(DocsRoutes.SCRIPT_PATH, "If-None-Match", "\"other\"")
                        .status())
                .isEqualTo(200);
    }

    @Test
    void theDocumentIsBuiltOnceAndKept() {
        OpenApiDocument built = new OpenApiDocument(server.server().routes(), "test");

        assertThat(built.json()).isSameAs(built.json());
    }

    @Test
    void operationIdsComeFromMethodAndPath() {
        assertThat(OpenApiDocument.operationId(
                        Route.get("/api/projects/{projectId}/activity").handle(call -> {})))
                .isEqualTo("getProjectsByProjectIdActivity");
        assertThat(OpenApiDocument.operationId(Route.get("/openapi.json").handle(call -> {})))
                .isEqualTo("getOpenapiJson");
    }

    /** "METHOD /path" to the operation, for every operation of the document. */
    private static Map<String, JsonNode> operations() {
        Map<String, JsonNode> operations = new HashMap<>();
        document.get("paths")
                .properties()
                .forEach(path -> path.getValue().properties().forEach(operation -> {
                    if (HTTP_METHODS.contains(operation.getKey())) {
                        operations.put(
                                operation.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey(),
                                operation.getValue());
                    }
                }));
        return operations;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static void collect(JsonNode node, BiConsumer<String, JsonNode> visitor) {
        if (node.isArray()) {
            node.elements().forEachRemaining(element -> collect(element, visitor));
        }
        node.properties().forEach(field -> {
            visitor.accept(field.getKey(), field.getValue());
            collect(field.getValue(), visitor);
        });
    }
}
