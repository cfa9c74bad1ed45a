package dev.trainyard.server.activity;

import dev.trainyard.server.common.Ids;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Who did what, when: written in the same transaction as the change it describes. */
@RegisterConstructorMapper(ActivityRow.class)
public interface ActivityLog {
    @SqlUpdate("INSERT INTO activity (id, organization_id, project_id, actor_id, action, detail, created_at) "
            + "VALUES (:id, :organizationId, :projectId, :actorId, :action, :detail, :createdAt)")
    void insert(
            String id,
            String organizationId,
            String projectId,
            String actorId,
            String action,
            String detail,
            Instant createdAt);

    @SqlQuery("SELECT a.id, a.organization_id, a.project_id, a.actor_id, u.username AS actor_username, "
            + "u.email AS actor_email, a.action, a.detail, a.created_at FROM activity a "
            + "LEFT JOIN users u ON u.id = a.actor_id WHERE a.project_id = :projectId "
            + "ORDER BY a.created_at DESC, a.id DESC LIMIT :take OFFSET :skip")
    List<ActivityRow> forProject(String projectId, int skip, int take);

    @SqlQuery("SELECT COUNT(*) FROM activity WHERE project_id = :projectId")
    long countForProject(String projectId);

    /** Records one entry. */
    static void record(
            Handle handle,
            String organizationId,
            String projectId,
            String actorId,
            String action,
            String detail,
            Instant at) {
        handle.attach(ActivityLog.class).insert(Ids.newId("a"), organizationId, projectId, actorId, action, detail, at);
    }
}
