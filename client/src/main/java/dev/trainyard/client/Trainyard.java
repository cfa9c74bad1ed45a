package dev.trainyard.client;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.trainyard.api.CreateProjectRequest;
import dev.trainyard.api.Me;
import dev.trainyard.api.Page;
import dev.trainyard.api.Project;
import dev.trainyard.api.UpdateProjectRequest;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;

/**
 * The Java client of a Trainyard server. Build one with {@link #builder()}; it is immutable and
 * safe to share between threads. With an API key it exchanges the key for a JWT itself, renews the
 * token shortly before it expires, and once more when the server answers 401.
 *
 * <pre>{@code
 * Trainyard trainyard = Trainyard.builder().baseUrl("http://localhost:8080").apiKey(key).build();
 * Project project = trainyard.createProject(new CreateProjectRequest("mnist", "digits", null));
 * }</pre>
 */
public final class Trainyard {
    private static final Duration RENEW_BEFORE_EXPIRY = Duration.ofSeconds(60);

    private final URI baseUrl;
    private final String apiKey;
    private final String fixedToken;
    private final Duration timeout;
    private final HttpClient http;
    private final ObjectMapper mapper;
    private final Clock clock;
    private volatile CachedToken cachedToken;

    private Trainyard(Builder builder) {
        this.baseUrl = builder.baseUrl;
        this.apiKey = builder.apiKey;
        this.fixedToken = builder.token;
        this.timeout = builder.timeout;
        this.clock = builder.clock;
        this.http =
                HttpClient.newBuilder().connectTimeout(builder.connectTimeout).build();
        this.mapper = JsonMapper.builder()
                .addModule(new JavaTimeModule())
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Who the client is authenticated as. */
    public Me me() {
        return send("GET", "/api/auth/me", null, mapper.constructType(Me.class));
    }

    public Page<Project> listProjects(int skip, int take) {
        return send("GET", "/api/projects?skip=" + skip + "&take=" + take, null, pageOf(Project.class));
    }

    public Page<Project> listProjects(String organizationId, int skip, int take) {
        return send(
                "GET",
                "/api/projects?org=" + encode(organizationId) + "&skip=" + skip + "&take=" + take,
                null,
                pageOf(Project.class));
    }

    public Project createProject(CreateProjectRequest request) {
        return send("POST", "/api/projects", request, mapper.constructType(Project.class));
    }

    public Project getProject(String projectId) {
        return send("GET", "/api/projects/" + encode(projectId), null, mapper.constructType(Project.class));
    }

    public Project updateProject(String projectId, UpdateProjectRequest request) {
        return send("PATCH", "/api/projects/" + encode(projectId), request, mapper.constructType(Project.class));
    }

    public void deleteProject(String projectId) {
        send("DELETE", "/api/projects/" + encode(projectId), null, null);
    }

    private JavaType pageOf(Class<?> item) {
        return mapper.getTypeFactory().constructParametricType(Page.class, item);
    }

    private <T> T send(String method, String path, Object body, JavaType type) {
        HttpResponse<byte[]> response = exchange(method, path, body, token(false));
        if (response.statusCode() == 401 && apiKey != null) {
            response = exchange(method, path, body, token(true));
        }
        if (response.statusCode() >= 400) {
            throw error(response);
        }
        if (type == null || response.statusCode() == 204) {
            return null;
        }
        try {
            return mapper.readValue(response.body(), type);
        } catch (IOException e) {
            throw new TrainyardException("the server's answer could not be read: " + e.getMessage(), e);
        }
    }

    private HttpResponse<byte[]> exchange(String method, String path, Object body, String bearer) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(baseUrl.resolve(path))
                    .timeout(timeout)
                    .header("Accept", "application/json")
                    .method(
                            method,
                            body == null
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofByteArray(mapper.writeValueAsBytes(body)));
            if (body != null) {
                request.header("Content-Type", "application/json");
            }
            if (bearer != null) {
                request.header("Authorization", "Bearer " + bearer);
            }
            return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new TrainyardException("cannot reach " + baseUrl + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TrainyardException("interrupted while calling " + baseUrl, e);
        }
    }

    /** The bearer to send: the fixed token, or a JWT for the API key, renewed before it expires. */
    private String token(boolean forceRenewal) {
        if (apiKey == null) {
            return fixedToken;
        }
        CachedToken current = cachedToken;
        if (!forceRenewal
                && current != null
                && clock.instant().isBefore(current.expiresAt().minus(RENEW_BEFORE_EXPIRY))) {
            return current.token();
        }
        synchronized (this) {
            if (!forceRenewal && cachedToken != current && cachedToken != null) {
                return cachedToken.token();
            }
            HttpResponse<byte[]> response = exchangeKey();
            if (response.statusCode() != 200) {
                throw error(response);
            }
            try {
                String token = mapper.readValue(response.body(), String.class);
                cachedToken = new CachedToken(token, expiryOf(token));
                return token;
            } catch (IOException e) {
                throw new TrainyardException("the token answer could not be read", e);
            }
        }
    }

    private HttpResponse<byte[]> exchangeKey() {
        try {
            HttpRequest request = HttpRequest.newBuilder(baseUrl.resolve("/api/auth/token"))
                    .timeout(timeout)
                    .header("x-api-key", apiKey)
                    .POST(HttpRequest.BodyPublishers.noBody())
                    .build();
            return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new TrainyardException("cannot reach " + baseUrl + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TrainyardException("interrupted while calling " + baseUrl, e);
        }
    }

    /** Reads {@code exp} from the token's payload; the server checks the signature, not us. */
    private Instant expiryOf(String token) throws IOException {
        String[] parts = token.split("\\.");
        if (parts.length != 3) {
            return clock.instant();
        }
        JsonNode claims = mapper.readTree(Base64.getUrlDecoder().decode(parts[1]));
        return claims.has("exp") ? Instant.ofEpochSecond(claims.get("exp").asLong()) : clock.instant();
    }

    private TrainyardException error(HttpResponse<byte[]> response) {
        String requestId = response.headers().firstValue("X-Request-Id").orElse(null);
        try {
            JsonNode problem = mapper.readTree(response.body());
            return new TrainyardException(
                    response.statusCode(),
                    problem.path("code").asText("http_" + response.statusCode()),
                    problem.path("detail").asText("HTTP " + response.statusCode()),
                    problem.path("request_id").asText(requestId));
        } catch (IOException e) {
            return new TrainyardException(
                    response.statusCode(), "http_" + response.statusCode(), "HTTP " + response.statusCode(), requestId);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private record CachedToken(String token, Instant expiresAt) {}

    /** Builds a {@link Trainyard} client; {@code baseUrl} and one credential are required. */
    public static final class Builder {
        private URI baseUrl;
        private String apiKey;
        private String token;
        private Duration timeout = Duration.ofSeconds(30);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        public Builder baseUrl(String url) {
            Objects.requireNonNull(url, "url");
            URI uri = URI.create(url.endsWith("/") ? url : url + "/");
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                throw new IllegalArgumentException("the base URL must be http:// or https://, got " + url);
            }
            this.baseUrl = uri;
            return this;
        }

        /** An API key ({@code ty_...}); the client exchanges it for tokens itself. */
        public Builder apiKey(String key) {
            this.apiKey = Objects.requireNonNull(key, "key");
            return this;
        }

        /** A fixed bearer token (a JWT), used as is and never renewed. */
        public Builder token(String bearer) {
            this.token = Objects.requireNonNull(bearer, "bearer");
            return this;
        }

        public Builder timeout(Duration value) {
            this.timeout = requirePositive(value);
            return this;
        }

        public Builder connectTimeout(Duration value) {
            this.connectTimeout = requirePositive(value);
            return this;
        }

        /** The clock used to decide when to renew tokens (tests). */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        public Trainyard build() {
            if (baseUrl == null) {
                throw new IllegalStateException("a base URL is required");
            }
            if ((apiKey == null) == (token == null)) {
                throw new IllegalStateException("exactly one of an API key or a token is required");
            }
            return new Trainyard(this);
        }

        private static Duration requirePositive(Duration value) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("a timeout must be positive");
            }
            return value;
        }
    }
}
