package dev.trainyard.server.auth;

import dev.trainyard.api.LoginRequest;
import dev.trainyard.api.RefreshRequest;
import dev.trainyard.api.TokenPair;
import dev.trainyard.server.common.Ids;
import dev.trainyard.server.common.TrainyardException;
import dev.trainyard.server.store.Database;
import dev.trainyard.server.user.UserRow;
import dev.trainyard.server.user.UserStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Exchanges credentials for tokens: an API key for a JWT, a username and password for a token
 * pair, and a refresh token (used once) for a new pair. Each of these is rate-limited per client
 * address.
 */
public final class AuthService {
    private final Database database;
    private final Authenticator authenticator;
    private final TokenService tokens;
    private final PasswordHasher passwords;
    private final RateLimiter rateLimiter;
    private final Clock clock;
    private final Duration refreshTokenTtl;

    public AuthService(
            Database database,
            Authenticator authenticator,
            TokenService tokens,
            PasswordHasher passwords,
            RateLimiter rateLimiter,
            Clock clock,
            Duration refreshTokenTtl) {
        this.database = database;
        this.authenticator = authenticator;
        this.tokens = tokens;
        this.passwords = passwords;
        this.rateLimiter = rateLimiter;
        this.clock = clock;
        this.refreshTokenTtl = refreshTokenTtl;
    }

    /** The JWT for an API key, as {@code POST /api/auth/token} answers it. */
    public String exchangeApiKey(String clientAddress, String apiKey) {
        rateLimiter.acquire(clientAddress);
        if (apiKey == null || apiKey.isBlank()) {
            throw TrainyardException.unauthenticated("send the API key in the x-api-key header");
        }
        String userId = authenticator.byApiKey(apiKey.trim()).userId();
        return tokens.issueUserToken(userId).token();
    }

    public TokenPair login(String clientAddress, LoginRequest request) {
        rateLimiter.acquire(clientAddress);
        if (request.username() == null || request.username().isBlank()) {
            throw TrainyardException.invalid("username", "is required");
        }
        if (request.password() == null || request.password().isEmpty()) {
            throw TrainyardException.invalid("password", "is required");
        }
        if (request.password().length() > 1024) {
            throw TrainyardException.invalid("password", "is longer than 1024 characters");
        }
        String username = request.username().trim().toLowerCase(Locale.ROOT);
        Optional<UserRow> user =
                database.read(handle -> handle.attach(UserStore.class).findByUsername(username));
        if (user.isEmpty()) {
            passwords.checkDecoy(request.password());
            throw TrainyardException.unauthenticated("wrong username or password");
        }
        if (!passwords.matches(request.password(), user.get().passwordHash())) {
            throw TrainyardException.unauthenticated("wrong username or password");
        }
        return database.write(handle -> issuePair(handle, user.get().id(), Ids.newId("f")));
    }

    /**
     * A new pair for a refresh token. Refresh tokens rotate: each works once, and presenting a used
     * one again revokes every token of that login, since one of the two holders is not the user.
     */
    public TokenPair refresh(String clientAddress, RefreshRequest request) {
        rateLimiter.acquire(clientAddress);
        String presented = request.refreshToken();
        if (presented == null || !Secrets.isWellFormed(Secrets.REFRESH_TOKEN_PREFIX, presented.trim())) {
            throw TrainyardException.unauthenticated("the refresh token is malformed");
        }
        Instant now = clock.instant();
        RefreshOutcome outcome = database.write(handle -> {
            RefreshTokenStore store = handle.attach(RefreshTokenStore.class);
            Optional<RefreshTokenRow> found = store.findByHash(Secrets.sha256(presented.trim()));
            if (found.isEmpty()
                    || found.get().revokedAt() != null
                    || !now.isBefore(found.get().expiresAt())) {
                return new RefreshOutcome(null, "the refresh token is unknown, revoked or expired");
            }
            RefreshTokenRow token = found.get();
            if (token.usedAt() != null || store.markUsed(token.id(), now) == 0) {
                store.revokeFamily(token.familyId(), now);
                return new RefreshOutcome(
                        null, "the refresh token was already used; every token of that login is now revoked");
            }
            return new RefreshOutcome(issuePair(handle, token.userId(), token.familyId()), null);
        });
        if (outcome.pair() == null) {
            throw TrainyardException.unauthenticated(outcome.failure());
        }
        return outcome.pair();
    }

    private TokenPair issuePair(Handle handle, String userId, String familyId) {
        Instant now = clock.instant();
        String refreshToken = Secrets.newRefreshToken();
        handle.attach(RefreshTokenStore.class)
                .insert(new RefreshTokenRow(
                        Ids.newId("r"),
                        userId,
                        familyId,
                        Secrets.sha256(refreshToken),
                        now,
                        now.plus(refreshTokenTtl),
                        null,
                        null));
        TokenService.IssuedToken access = tokens.issueUserToken(userId);
        return new TokenPair(access.token(), refreshToken, access.expiresAt());
    }

    /** The result of a refresh, decided inside the transaction and thrown outside it (so revocation commits). */
    private record RefreshOutcome(TokenPair pair, String failure) {}
}
