package dev.trainyard.server.auth;

import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** SQL for refresh tokens. */
@RegisterConstructorMapper(RefreshTokenRow.class)
public interface RefreshTokenStore {
    @SqlUpdate("INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, created_at, expires_at) "
            + "VALUES (:id, :userId, :familyId, :tokenHash, :createdAt, :expiresAt)")
    void insert(@BindMethods RefreshTokenRow token);

    @SqlQuery("SELECT * FROM refresh_tokens WHERE token_hash = :tokenHash")
    Optional<RefreshTokenRow> findByHash(String tokenHash);

    /** Marks a token used; answers 0 when someone else used it first. */
    @SqlUpdate("UPDATE refresh_tokens SET used_at = :now WHERE id = :id AND used_at IS NULL AND revoked_at IS NULL")
    int markUsed(String id, Instant now);

    @SqlUpdate("UPDATE refresh_tokens SET revoked_at = :now WHERE family_id = :familyId AND revoked_at IS NULL")
    int revokeFamily(String familyId, Instant now);
}
