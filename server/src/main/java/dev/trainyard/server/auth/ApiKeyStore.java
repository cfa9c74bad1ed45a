package dev.trainyard.server.auth;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** SQL for API keys. */
@RegisterConstructorMapper(ApiKeyRow.class)
@RegisterConstructorMapper(ApiKeyCaller.class)
public interface ApiKeyStore {
    @SqlUpdate("INSERT INTO api_keys (id, user_id, name, prefix, last_four, key_hash, created_at, expires_at) "
            + "VALUES (:id, :userId, :name, :prefix, :lastFour, :keyHash, :createdAt, :expiresAt)")
    void insert(@BindMethods ApiKeyRow key);

    @SqlQuery("SELECT * FROM api_keys WHERE key_hash = :keyHash")
    Optional<ApiKeyRow> findByHash(String keyHash);

    @SqlQuery("SELECT k.id AS key_id, k.expires_at, k.revoked_at, u.id AS user_id, u.username, u.email, u.admin "
            + "FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.key_hash = :keyHash")
    Optional<ApiKeyCaller> findCallerByHash(String keyHash);

    @SqlQuery("SELECT * FROM api_keys WHERE user_id = :userId AND revoked_at IS NULL "
            + "ORDER BY created_at DESC, id LIMIT :take OFFSET :skip")
    List<ApiKeyRow> listActive(String userId, int skip, int take);

    @SqlQuery("SELECT COUNT(*) FROM api_keys WHERE user_id = :userId AND revoked_at IS NULL")
    long countActive(String userId);

    @SqlQuery("SELECT COUNT(*) FROM api_keys WHERE revoked_at IS NULL")
    long countAllActive();

    @SqlUpdate("UPDATE api_keys SET revoked_at = :now WHERE id = :id AND user_id = :userId AND revoked_at IS NULL")
    int revoke(String id, String userId, Instant now);

    @SqlUpdate("UPDATE api_keys SET last_used_at = :now WHERE id = :id")
    void touch(String id, Instant now);
}
