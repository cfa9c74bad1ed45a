package dev.trainyard.server.auth;

import dev.trainyard.api.ApiKey;
import dev.trainyard.api.CreateApiKeyRequest;
import dev.trainyard.api.CreatedApiKey;
import dev.trainyard.api.LoginRequest;
import dev.trainyard.api.RefreshRequest;
import dev.trainyard.api.TokenPair;
import dev.trainyard.server.http.Access;
import dev.trainyard.server.http.Route;
import java.util.List;

/** Token exchange, login, refresh and API keys. */
public final class AuthRoutes {
    private static final String AUTH = "Auth";
    private static final String KEYS = "API keys";

    private final AuthService auth;
    private final ApiKeyService apiKeys;

    public AuthRoutes(AuthService auth, ApiKeyService apiKeys) {
        this.auth = auth;
        this.apiKeys = apiKeys;
    }

    public List<Route> routes() {
        return List.of(
                Route.post("/api/auth/token")
                        .access(Access.PUBLIC)
                        .tag(AUTH)
                        .summary("Exchange an API key for a JWT")
                        .description("Send the key in the x-api-key header (or as Authorization: Bearer). "
                                + "The answer is the JWT as a JSON string. Rate-limited per client address.")
                        .returns(200, String.class)
                        .errors(401, 429)
                        .handle(call -> call.ok(auth.exchangeApiKey(
                                call.clientAddress(),
                                call.header("x-api-key") != null
                                        ? call.header("x-api-key")
                                        : bearer(call.header("Authorization"))))),
                Route.post("/api/auth/login")
                        .access(Access.PUBLIC)
                        .tag(AUTH)
                        .summary("Log in with username and password")
                        .body(LoginRequest.class)
                        .returns(200, TokenPair.class)
                        .errors(400, 401, 429)
                        .handle(call -> call.ok(auth.login(call.clientAddress(), call.body(LoginRequest.class)))),
                Route.post("/api/auth/refresh")
                        .access(Access.PUBLIC)
                        .tag(AUTH)
                        .summary("Exchange a refresh token for a new token pair")
                        .description(
                                "Refresh tokens work once. Presenting a used one again revokes every token of that login.")
                        .body(RefreshRequest.class)
                        .returns(200, TokenPair.class)
                        .errors(400, 401, 429)
                        .handle(call -> call.ok(auth.refresh(call.clientAddress(), call.body(RefreshRequest.class)))),
                Route.get("/api/api-keys")
                        .tag(KEYS)
                        .summary("List your API keys (never their secrets)")
                        .paged()
                        .returns(200, Route.pageOf(ApiKey.class))
                        .errors(400)
                        .handle(call -> call.ok(apiKeys.list(call.principal(), call.page()))),
                Route.post("/api/api-keys")
                        .tag(KEYS)
                        .summary("Create an API key; the key is in this answer only")
                        .body(CreateApiKeyRequest.class)
                        .returns(201, CreatedApiKey.class)
                        .errors(400, 409)
                        .handle(call ->
                                call.json(201, apiKeys.create(call.principal(), call.body(CreateApiKeyRequest.class)))),
                Route.delete("/api/api-keys/{keyId}")
                        .tag(KEYS)
                        .summary("Revoke an API key at once")
                        .returns(204, null)
                        .errors(404)
                        .handle(call -> {
                            apiKeys.revoke(call.principal(), call.path("keyId"));
                            call.noContent();
                        }));
    }

    private static String bearer(String authorization) {
        return authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).trim()
                : null;
    }
}
