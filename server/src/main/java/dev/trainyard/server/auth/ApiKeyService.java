package dev.trainyard.server.auth;

import dev.trainyard.api.ApiKey;
import dev.trainyard.api.CreateApiKeyRequest;
import dev.trainyard.api.CreatedApiKey;
import dev.trainyard.api.Page;
import dev.trainyard.server.common.Ids;
import dev.trainyard.server.common.PageRequest;
import dev.trainyard.server.common.Principal;
import dev.trainyard.server.common.TrainyardException;
import dev.trainyard.server.store.Database;
import java.time.Clock;
import java.time.Instant;
import org.jdbi.v3.core.Handle;

/** A user's API keys: created (the key shown once), listed without secrets, revoked at once. */
public final class ApiKeyService {
    private static final int MAX_NAME_LENGTH = 100;
    private static final int MAX_ACTIVE_KEYS = 100;

    private final Database database;
    private final Clock clock;

    public ApiKeyService(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    public CreatedApiKey create(Principal caller, CreateApiKeyRequest request) {
        String name = request.name() == null ? "" : request.name().trim();
        if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
            throw TrainyardException.invalid("name", "is required, 1 to " + MAX_NAME_LENGTH + " characters");
        }
        Instant now = clock.instant();
        if (request.expiresAt() != null && !request.expiresAt().isAfter(now)) {
            throw TrainyardException.invalid("expires_at", "must be in the future");
        }
        return database.write(handle -> {
            if (handle.attach(ApiKeyStore.class).countActive(caller.userId()) >= MAX_ACTIVE_KEYS) {
                throw TrainyardException.conflict(
                        "a user can hold at most " + MAX_ACTIVE_KEYS + " active API keys; revoke one first");
            }
            return insert(handle, caller.userId(), name, request.expiresAt(), now);
        });
    }

    /** Creates a key for a user inside an existing transaction (first start, admin tooling). */
    public static CreatedApiKey insert(Handle handle, String userId, String name, Instant expiresAt, Instant now) {
        String key = Secrets.newApiKey();
        ApiKeyRow row = new ApiKeyRow(
                Ids.newId("k"),
                userId,
                name,
                Secrets.displayPrefix(key),
                Secrets.lastFour(key),
                Secrets.sha256(key),
                now,
                null,
                expiresAt,
                null);
        handle.attach(ApiKeyStore.class).insert(row);
        return new CreatedApiKey(row.toApiKey(), key);
    }

    public Page<ApiKey> list(Principal caller, PageRequest page) {
        return database.read(handle -> {
            ApiKeyStore store = handle.attach(ApiKeyStore.class);
            return new Page<>(
                    store.listActive(caller.userId(), page.skip(), page.take()).stream()
                            .map(ApiKeyRow::toApiKey)
                            .toList(),
                    store.countActive(caller.userId()),
                    page.skip(),
                    page.take());
        });
    }

    public void revoke(Principal caller, String keyId) {
        int revoked = Ids.looksLike("k", keyId)
                ? database.write(
                        handle -> handle.attach(ApiKeyStore.class).revoke(keyId, caller.userId(), clock.instant()))
                : 0;
        if (revoked == 0) {
            throw TrainyardException.notFound("API key", keyId);
        }
    }
}
