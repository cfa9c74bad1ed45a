package dev.trainyard.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.trainyard.server.testing.HttpResponse;
import dev.trainyard.server.testing.TestServer;
import dev.trainyard.server.testing.TestServer.TestUser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Date;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AuthApiTest {
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
    void exchangesApiKeyWithTheHostedCloudsRequestShape() {
        // curl -X POST $URL/api/auth/token -H "x-api-key: $KEY"; token = response.text.strip('"')
        HttpResponse response = server.post("/api/auth/token", null, "x-api-key", server.adminKey());

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).startsWith("\"ey").endsWith("\"");
        String token = response.body().replaceAll("^\"|\"$", "");
        assertThat(server.get("/api/projects?skip=0&take=10", "Authorization", "Bearer " + token)
                        .status())
                .isEqualTo(200);
    }

    @Test
    void tokenExchangeRefusesMissingUnknownAndMalformedKeys() {
        String unknown = Secrets.newApiKey();
        String malformed = server.adminKey().substring(0, server.adminKey().length() - 1) + "x";

        assertUnauthenticated(server.post("/api/auth/token", null));
        assertUnauthenticated(server.post("/api/auth/token", null, "x-api-key", unknown));
        assertUnauthenticated(server.post("/api/auth/token", null, "x-api-key", malformed));
        assertUnauthenticated(server.post("/api/auth/token", null, "x-api-key", "not-a-key"));
    }

    @Test
    void everyCredentialFormIsAccepted() {
        String token = server.adminToken();

        assertThat(server.get("/api/auth/me", "Authorization", "Bearer " + token)
                        .json()
                        .get("authenticated_by")
                        .asText())
                .isEqualTo("jwt");
        assertThat(server.get("/api/auth/me", "Authorization", "Bearer " + server.adminKey())
                        .json()
                        .get("authenticated_by")
                        .asText())
                .isEqualTo("api_key");
        assertThat(server.get("/api/auth/me", "X-API-KEY", server.adminKey())
                        .json()
                        .get("user")
                        .get("username")
                        .asText())
                .isEqualTo("admin");
    }

    @Test
    void routesRefuseMissingAndInvalidCredentials() {
        assertUnauthenticated(server.get("/api/projects"));
        assertUnauthenticated(server.get("/api/projects", "Authorization", "Basic YWRtaW46YWRtaW4="));
        assertUnauthenticated(server.get("/api/projects", "Authorization", "Bearer garbage"));
        assertUnauthenticated(server.get("/api/projects", "X-API-KEY", Secrets.newApiKey()));
    }

    @Test
    void refusesExpiredToken() throws Exception {
        String expired = signWithServerKey(claims(Instant.now().minusSeconds(3600)));

        assertUnauthenticated(server.get("/api/projects", "Authorization", "Bearer " + expired));
    }

    @Test
    void acceptsTokenSignedWithServerKeyAsControl() throws Exception {
        String valid = signWithServerKey(claims(Instant.now().plusSeconds(600)));

        assertThat(server.get("/api/projects", "Authorization", "Bearer " + valid)
                        .status())
                .isEqualTo(200);
    }

    @Test
    void refusesWrongAudienceAndIssuer() throws Exception {
        JWTClaimsSet wrongAudience = new JWTClaimsSet.Builder(
                        claims(Instant.now().plusSeconds(600)))
                .audience("someone-else")
                .build();
        JWTClaimsSet wrongIssuer = new JWTClaimsSet.Builder(claims(Instant.now().plusSeconds(600)))
                .issuer("evil")
                .build();

        assertUnauthenticated(
                server.get("/api/projects", "Authorization", "Bearer " + signWithServerKey(wrongAudience)));
        assertUnauthenticated(server.get("/api/projects", "Authorization", "Bearer " + signWithServerKey(wrongIssuer)));
    }

    @Test
    void refusesTamperedToken() {
        String token = server.adminToken();
        String[] parts = token.split("\\.");
        JWTClaimsSet forged = new JWTClaimsSet.Builder(claims(Instant.now().plusSeconds(600)))
                .subject("u-aaaaaaaaaaaaaaaa")
                .build();
        String tampered = parts[0] + "." + Base64URL.encode(forged.toString()) + "." + parts[2];

        assertUnauthenticated(server.get("/api/projects", "Authorization", "Bearer " + tampered));
    }

    @Test
    void refusesAlgNone() {
        String unsigned = new PlainJWT(claims(Instant.now().plusSeconds(600))).serialize();

        assertUnauthenticated(server.get("/api/projects", "Authorization", "Bearer " + unsigned));
    }

    @Test
    void refusesHs256SignedWithThePublicKey() throws Exception {
        // The classic confusion attack: HMAC keyed with the server's public key.
        ECKey key = ECKey.parse(Files.readString(server.dataDir().resolve("keys/jwt-signing-key.json")));
        byte[] publicKeyBytes = key.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8);
        byte[] secret = new byte[Math.max(32, publicKeyBytes.length)];
        System.arraycopy(publicKeyBytes, 0, secret, 0, publicKeyBytes.length);
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.HS256)
                        .type(JOSEObjectType.JWT)
                        .keyID(key.getKeyID())
                        .build(),
                claims(Instant.now().plusSeconds(600)));
        jwt.sign(new MACSigner(secret));

        assertUnauthenticated(server.get("/api/projects", "Authorization", "Bearer " + jwt.serialize()));
    }

    @Test
    void loginAnswersTokenPair() {
        HttpResponse response = server.post(
                "/api/auth/login", "{\"username\":\"admin\",\"password\":\"" + server.adminPassword() + "\"}");

        assertThat(response.status()).isEqualTo(200);
        JsonNode pair = response.json();
        assertThat(pair.get("token").asText()).startsWith("ey");
        assertThat(pair.get("refresh_token").asText()).startsWith("tyr_");
        assertThat(Instant.parse(pair.get("expires_at").asText()))
                .isAfter(Instant.now().plusSeconds(3000));
        assertThat(server.get(
                                "/api/auth/me",
                                "Authorization",
                                "Bearer " + pair.get("token").asText())
                        .status())
                .isEqualTo(200);
    }

    @Test
    void loginRefusesWrongPasswordAndUnknownUser() {
        assertUnauthenticated(
                server.post("/api/auth/login", "{\"username\":\"admin\",\"password\":\"wrong-password\"}"));
        assertUnauthenticated(server.post("/api/auth/login", "{\"username\":\"nobody\",\"password\":\"whatever1\"}"));
        assertThat(server.post("/api/auth/login", "{\"username\":\"admin\"}").status())
                .isEqualTo(400);
    }

    @Test
    void refreshTokensRotateAndReuseRevokesTheLogin() {
        JsonNode first = server.post(
                        "/api/auth/login", "{\"username\":\"admin\",\"password\":\"" + server.adminPassword() + "\"}")
                .json();
        String firstRefresh = first.get("refresh_token").asText();

        HttpResponse rotated = server.post("/api/auth/refresh", "{\"refresh_token\":\"" + firstRefresh + "\"}");
        assertThat(rotated.status()).isEqualTo(200);
        String secondRefresh = rotated.json().get("refresh_token").asText();
        assertThat(secondRefresh).isNotEqualTo(firstRefresh);

        assertUnauthenticated(server.post("/api/auth/refresh", "{\"refresh_token\":\"" + firstRefresh + "\"}"));
        // The reuse revoked the whole family, including the token issued by the rotation.
        assertUnauthenticated(server.post("/api/auth/refresh", "{\"refresh_token\":\"" + secondRefresh + "\"}"));
    }

    @Test
    void refreshRefusesGarbage() {
        assertUnauthenticated(server.post("/api/auth/refresh", "{\"refresh_token\":\"tyr_nope\"}"));
        assertUnauthenticated(
                server.post("/api/auth/refresh", "{\"refresh_token\":\"" + Secrets.newRefreshToken() + "\"}"));
        assertThat(server.post("/api/auth/refresh", "{\"refresh_token\":5}").status())
                .isEqualTo(400);
    }

    @Test
    void apiKeyIsShownOnceListedWithoutSecretAndRevokedAtOnce() {
        String token = server.adminToken();
        HttpResponse created =
                server.post("/api/api-keys", "{\"name\":\"ci runner\"}", "Authorization", "Bearer " + token);
        assertThat(created.status()).isEqualTo(201);
        String key = created.json().get("key").asText();
        String keyId = created.json().get("api_key").get("id").asText();
        assertThat(key).startsWith("ty_").hasSizeGreaterThanOrEqualTo(3 + 43);
        assertThat(Secrets.isWellFormed(Secrets.API_KEY_PREFIX, key)).isTrue();

        HttpResponse list = server.get("/api/api-keys", "Authorization", "Bearer " + token);
        assertThat(list.body()).doesNotContain(key).doesNotContain(Secrets.sha256(key));
        JsonNode listed = find(list.json().get("items"), keyId);
        assertThat(listed.get("name").asText()).isEqualTo("ci runner");
        assertThat(listed.get("prefix").asText()).isEqualTo(key.substring(0, 7));
        assertThat(listed.get("last_four").asText()).isEqualTo(key.substring(key.length() - 4));
        assertThat(listed.has("key")).isFalse();

        assertThat(server.post("/api/auth/token", null, "x-api-key", key).status())
                .isEqualTo(200);
        assertThat(find(server.get("/api/api-keys", "X-API-KEY", key).json().get("items"), keyId)
                        .get("last_used_at")
                        .isNull())
                .isFalse();
        assertThat(server.delete("/api/api-keys/" + keyId, "Authorization", "Bearer " + token)
                        .status())
                .isEqualTo(204);
        assertUnauthenticated(server.post("/api/auth/token", null, "x-api-key", key));
        assertUnauthenticated(server.get("/api/projects", "X-API-KEY", key));
    }

    @Test
    void apiKeyCannotBeCreatedAlreadyExpired() {
        HttpResponse past = server.post(
                "/api/api-keys",
                "{\"name\":\"old\",\"expires_at\":\"2020-01-01T00:00:00Z\"}",
                "X-API-KEY",
                server.adminKey());
        assertThat(past.status()).isEqualTo(400);
        assertThat(past.json().get("errors").get(0).get("field").asText()).isEqualTo("expires_at");
    }

    @Test
    void apiKeyStopsWorkingWhenItExpires() {
        String expiresAt = Instant.now().plusSeconds(2).toString();
        HttpResponse created = server.post(
                "/api/api-keys",
                "{\"name\":\"short\",\"expires_at\":\"" + expiresAt + "\"}",
                "X-API-KEY",
                server.adminKey());
        assertThat(created.status()).isEqualTo(201);
        String key = created.json().get("key").asText();
        assertThat(server.get("/api/projects", "X-API-KEY", key).status()).isEqualTo(200);

        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(15))
                .until(() -> server.get("/api/projects", "X-API-KEY", key).status() == 401);
        assertUnauthenticated(server.post("/api/auth/token", null, "x-api-key", key));
    }

    @Test
    void anotherUsersKeyCannotBeRevoked() {
        TestUser mallory = server.createUser("mallory");
        HttpResponse created = server.post("/api/api-keys", "{\"name\":\"mine\"}", "X-API-KEY", server.adminKey());
        String keyId = created.json().get("api_key").get("id").asText();

        assertThat(server.delete("/api/api-keys/" + keyId, mallory.auth()).status())
                .isEqualTo(404);
        assertThat(server.post(
                                "/api/auth/token",
                                null,
                                "x-api-key",
                                created.json().get("key").asText())
                        .status())
                .isEqualTo(200);
    }

    @Test
    void everyAnswerCarriesARequestId() {
        assertThat(server.get("/healthz").header("X-Request-Id")).isNotBlank();
        assertThat(server.get("/api/projects").header("X-Request-Id")).isNotBlank();
        assertThat(server.get("/api/projects").json().get("request_id").asText())
                .isNotBlank();
    }

    @Test
    void tokenExchangeIsRateLimitedPerClient() {
        try (TestServer limited = TestServer.start(config -> config.withAuthAttemptsPerMinute(5))) {
            for (int i = 0; i < 5; i++) {
                assertThat(limited.post("/api/auth/token", null, "x-api-key", limited.adminKey())
                                .status())
                        .isEqualTo(200);
            }
            HttpResponse refused = limited.post("/api/auth/token", null, "x-api-key", limited.adminKey());
            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.json().get("code").asText()).isEqualTo("rate_limited");
            assertThat(Integer.parseInt(refused.header("Retry-After"))).isBetween(1, 60);
            assertThat(limited.post("/api/auth/login", "{\"username\":\"admin\",\"password\":\"x\"}")
                            .status())
                    .isEqualTo(429);
        }
    }

    private static JsonNode find(JsonNode items, String id) {
        for (JsonNode item : items) {
            if (item.get("id").asText().equals(id)) {
                return item;
            }
        }
        throw new AssertionError(id + " not in " + items);
    }

    private static JWTClaimsSet claims(Instant expiresAt) {
        String adminId = server.get("/api/auth/me", "X-API-KEY", server.adminKey())
                .json()
                .get("user")
                .get("id")
                .asText();
        return new JWTClaimsSet.Builder()
                .issuer(TokenService.ISSUER)
                .audience(TokenService.AUDIENCE)
                .subject(adminId)
                .issueTime(Date.from(expiresAt.minusSeconds(3600)))
                .expirationTime(Date.from(expiresAt))
                .jwtID("t-test")
                .claim(TokenService.SCOPE_CLAIM, TokenService.USER_SCOPE)
                .build();
    }

    private static String signWithServerKey(JWTClaimsSet claims) throws Exception {
        ECKey key = ECKey.parse(Files.readString(server.dataDir().resolve("keys/jwt-signing-key.json")));
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.ES256)
                        .type(JOSEObjectType.JWT)
                        .keyID(key.getKeyID())
                        .build(),
                claims);
        jwt.sign(new ECDSASigner(key));
        return jwt.serialize();
    }

    static void assertUnauthenticated(HttpResponse response) {
        assertThat(response.status()).as(response.toString()).isEqualTo(401);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.json().get("code").asText()).isEqualTo("unauthenticated");
    }
}
