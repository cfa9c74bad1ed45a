package dev.trainyard.server.org;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** SQL for organizations and their members. */
@RegisterConstructorMapper(OrganizationRow.class)
@RegisterConstructorMapper(MembershipRow.class)
public interface OrganizationStore {
    String MEMBERSHIP_COLUMNS = "SELECT m.organization_id, o.name AS organization_name, o.personal, m.user_id, "
            + "u.username, u.email, m.role, m.created_at, o.created_at AS organization_created_at "
            + "FROM memberships m JOIN organizations o ON o.id = m.organization_id JOIN users u ON u.id = m.user_id ";

    @SqlUpdate("INSERT INTO organizations (id, name, personal, created_by, created_at) "
            + "VALUES (:id, :name, :personal, :createdBy, :createdAt)")
    void insert(@BindMethods OrganizationRow organization);

    @SqlQuery("SELECT * FROM organizations WHERE id = :id")
    Optional<OrganizationRow> findById(String id);

    @SqlUpdate("INSERT INTO memberships (organization_id, user_id, role, created_at) "
            + "VALUES (:organizationId, :userId, :role, :createdAt)")
    void addMember(String organizationId, String userId, String role, Instant createdAt);

    @SqlUpdate("UPDATE memberships SET role = :role WHERE organization_id = :organizationId AND user_id = :userId")
    int changeRole(String organizationId, String userId, String role);

    @SqlUpdate("DELETE FROM memberships WHERE organization_id = :organizationId AND user_id = :userId")
    int removeMember(String organizationId, String userId);

    @SqlQuery(MEMBERSHIP_COLUMNS + "WHERE m.organization_id = :organizationId AND m.user_id = :userId")
    Optional<MembershipRow> membership(String organizationId, String userId);

    @SqlQuery(MEMBERSHIP_COLUMNS + "WHERE m.user_id = :userId ORDER BY o.personal DESC, o.created_at, o.id")
    List<MembershipRow> membershipsOf(String userId);

    @SqlQuery(MEMBERSHIP_COLUMNS + "WHERE m.organization_id = :organizationId ORDER BY m.created_at, u.username "
            + "LIMIT :take OFFSET :skip")
    List<MembershipRow> members(String organizationId, int skip, int take);

    @SqlQuery("SELECT COUNT(*) FROM memberships WHERE organization_id = :organizationId")
    long memberCount(String organizationId);

    @SqlQuery("SELECT COUNT(*) FROM memberships WHERE organization_id = :organizationId AND role = 'owner'")
    long ownerCount(String organizationId);

    @SqlQuery("SELECT COUNT(*) FROM organizations")
    long count();
}
