package dev.trainyard.server.project;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** SQL for projects. Lists are always limited to organizations the caller belongs to. */
@RegisterConstructorMapper(ProjectRow.class)
public interface ProjectStore {
    String SELECT = "SELECT p.id, p.organization_id, p.name, p.description, p.created_by, "
            + "u.username AS creator_username, u.email AS creator_email, p.created_at, p.updated_at "
            + "FROM projects p JOIN users u ON u.id = p.created_by ";
    String VISIBLE = "p.organization_id IN (SELECT organization_id FROM memberships WHERE user_id = :userId) "
            + "AND (CAST(:organizationId AS TEXT) IS NULL OR p.organization_id = :organizationId) ";

    @SqlUpdate("INSERT INTO projects (id, organization_id, name, description, created_by, created_at, updated_at) "
            + "VALUES (:id, :organizationId, :name, :description, :createdBy, :createdAt, :createdAt)")
    void insert(String id, String organizationId, String name, String description, String createdBy, Instant createdAt);

    @SqlQuery(SELECT + "WHERE p.id = :id")
    Optional<ProjectRow> findById(String id);

    @SqlQuery(SELECT + "WHERE " + VISIBLE + "ORDER BY p.created_at DESC, p.id DESC LIMIT :take OFFSET :skip")
    List<ProjectRow> listVisible(String userId, String organizationId, int skip, int take);

    @SqlQuery("SELECT COUNT(*) FROM projects p WHERE " + VISIBLE)
    long countVisible(String userId, String organizationId);

    @SqlUpdate("UPDATE projects SET name = :name, description = :description, updated_at = :now WHERE id = :id")
    int update(String id, String name, String description, Instant now);

    @SqlQuery(
            "SELECT COUNT(*) FROM jobs WHERE project_id = :id AND state IN ('QUEUED', 'STARTING', 'RUNNING', 'STOPPING')")
    long activeJobs(String id);

    @SqlUpdate("DELETE FROM projects WHERE id = :id")
    int delete(String id);

    @SqlQuery("SELECT COUNT(*) FROM projects")
    long count();
}
