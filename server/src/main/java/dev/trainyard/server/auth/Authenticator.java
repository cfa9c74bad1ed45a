package dev.trainyard.server.auth;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.trainyard.server.common.Principal;
import dev.trainyard.server.common.TrainyardException;
import dev.trainyard.server.http.CallerResolver;
import dev.trainyard.server.store.Database;
import dev.trainyard.server.user.UserRow;
import dev.trainyard.server.user.UserStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns a credential into a principal: {@code Authorization: Bearer <jwt | api key>} or
 * {@code X-API-KEY: <api key>}. Every failure is the same 401, so a caller learns nothing about
 * which keys or users exist.
 */
public final class Authenticator implements CallerResolver {
    /** Last-used times are written at most this often per key, to keep reads off the writer. */
    private static final Duration TOUCH_INTERVAL = Duration.ofSeconds(60);

    private final Database database;
    private final TokenService tokens;
    private final Clock clock;
    private final Map<String, Instant> lastTouched = new ConcurrentHashMap<>();
    private final JobPrincipals jobs;
    private final JobTokens jobTokens;

    public Authenticator(Database database, TokenService tokens, Clock clock, JobPrincipals jobs, JobTokens jobTokens) {
        this.database = database;
        this.tokens = tokens;
        this.clock = clock;
        this.jobs = jobs;
        this.jobTokens = jobTokens;
    }

    @Override
    public Principal resolve(String authorization, String apiKey) {
        String credential;
        if (authorization != null && !authorization.isBlank()) {
            if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw TrainyardException.unauthenticated(
                        "use 'Authorization: Bearer <token or API key>' or the X-API-KEY header");
            }
            credential = authorization.substring(7).trim();
        } else if (apiKey != null && !apiKey.isBlank()) {
            credential = apiKey.trim();
        } else {
            throw TrainyardException.unauthenticated(
                    "credentials are required: 'Authorization: Bearer <token or API key>' or X-API-KEY");
        }
        if (credential.startsWith(JobTokens.PREFIX)) {
            return byJobToken(credential);
        }
        return credential.startsWith(Secrets.API_KEY_PREFIX) ? byApiKey(credential) : byToken(credential);
    }

    /** The principal of a job's token while its job has not ended, else 401. */
    private Principal byJobToken(String token) {
        String jobId = jobTokens
                .jobOf(token)
                .orElseThrow(() -> TrainyardException.unauthenticated("the job token is invalid"));
        return jobs.forRunningJob(jobId)
                .orElseThrow(() -> TrainyardException.unauthenticated("the job of this token has ended"));
    }

    /** The principal of an API key, or 401 for a malformed, unknown, revoked or expired one. */
    public Principal byApiKey(String key) {
        if (!Secrets.isWellFormed(Secrets.API_KEY_PREFIX, key)) {
            throw TrainyardException.unauthenticated("the API key is malformed");
        }
        Instant now = clock.instant();
        ApiKeyCaller caller = database.read(
                        handle -> handle.attach(ApiKeyStore.class).findCallerByHash(Secrets.sha256(key)))
                .filter(candidate -> candidate.usableAt(now))
                .orElseThrow(() -> TrainyardException.unauthenticated("the API key is unknown, revoked or expired"));
        touch(caller.keyId(), now);
        return new Principal(
                caller.userId(),
                caller.username().toLowerCase(Locale.ROOT),
                caller.email(),
                caller.admin(),
                Principal.Method.API_KEY,
                caller.keyId());
    }

    private Principal byToken(String token) {
        JWTClaimsSet claims = tokens.verify(token);
        if (!TokenService.USER_SCOPE.equals(claims.getClaim(TokenService.SCOPE_CLAIM))) {
            throw TrainyardException.unauthenticated("this token cannot be used here");
        }
        UserRow user = database.read(handle -> handle.attach(UserStore.class).findById(claims.getSubject()))
                .orElseThrow(() -> TrainyardException.unauthenticated("the access token is invalid or expired"));
        return principal(user, Principal.Method.JWT, null);
    }

    private void touch(String keyId, Instant now) {
        Instant previous = lastTouched.get(keyId);
        if (previous != null && previous.plus(TOUCH_INTERVAL).isAfter(now)) {
            return;
        }
        lastTouched.put(keyId, now);
        database.writeVoid(handle -> handle.attach(ApiKeyStore.class).touch(keyId, now));
    }

    private static Principal principal(UserRow user, Principal.Method method, String apiKeyId) {
        return new Principal(
                user.id(), user.username().toLowerCase(Locale.ROOT), user.email(), user.admin(), method, apiKeyId);
    }
}
