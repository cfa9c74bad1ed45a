package dev.trainyard.server.user;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** SQL for users. */
@RegisterConstructorMapper(UserRow.class)
public interface UserStore {
    @SqlUpdate("INSERT INTO users (id, username, email, password_hash, admin, personal_org_id, created_at) "
            + "VALUES (:id, :username, :email, :passwordHash, :admin, :personalOrgId, :createdAt)")
    void insert(@BindMethods UserRow user);

    @SqlUpdate("UPDATE users SET personal_org_id = :organizationId WHERE id = :userId")
    void setPersonalOrganization(String userId, String organizationId);

    @SqlQuery("SELECT * FROM users WHERE id = :id")
    Optional<UserRow> findById(String id);

    @SqlQuery("SELECT * FROM users WHERE username = :username")
    Optional<UserRow> findByUsername(String username);

    @SqlQuery("SELECT * FROM users ORDER BY created_at, id LIMIT :take OFFSET :skip")
    List<UserRow> list(int skip, int take);

    @SqlQuery("SELECT COUNT(*) FROM users")
    long count();
}
