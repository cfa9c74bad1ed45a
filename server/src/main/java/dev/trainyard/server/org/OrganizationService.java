package dev.trainyard.server.org;

import dev.trainyard.api.AddMemberRequest;
import dev.trainyard.api.ChangeRoleRequest;
import dev.trainyard.api.CreateOrganizationRequest;
import dev.trainyard.api.Member;
import dev.trainyard.api.Organization;
import dev.trainyard.api.Page;
import dev.trainyard.api.Role;
import dev.trainyard.api.UserRef;
import dev.trainyard.server.activity.ActivityLog;
import dev.trainyard.server.common.ErrorCode;
import dev.trainyard.server.common.Ids;
import dev.trainyard.server.common.PageRequest;
import dev.trainyard.server.common.Principal;
import dev.trainyard.server.common.TrainyardException;
import dev.trainyard.server.store.Database;
import dev.trainyard.server.user.UserRow;
import dev.trainyard.server.user.UserStore;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.jdbi.v3.core.Handle;

/** Organizations and their members. */
public final class OrganizationService {
    private static final int MAX_NAME_LENGTH = 100;

    private final Database database;
    private final Clock clock;

    public OrganizationService(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    public Organization create(Principal caller, CreateOrganizationRequest request) {
        String name = validName(request.name());
        Instant now = clock.instant();
        return database.write(handle -> {
            OrganizationRow row = insert(handle, name, false, caller.userId(), now);
            ActivityLog.record(handle, row.id(), null, caller.userId(), "organization.created", name, now);
            return toOrganization(row, Role.OWNER);
        });
    }

    /** Creates an organization with its creator as owner, inside a transaction. */
    public static OrganizationRow insert(Handle handle, String name, boolean personal, String ownerId, Instant now) {
        OrganizationRow row = new OrganizationRow(Ids.newId("o"), name, personal, ownerId, now);
        OrganizationStore store = handle.attach(OrganizationStore.class);
        store.insert(row);
        store.addMember(row.id(), ownerId, Role.OWNER.wireName(), now);
        return row;
    }

    public Page<Organization> list(Principal caller, PageRequest page) {
        List<Organization> all =
                database.read(handle -> handle.attach(OrganizationStore.class).membershipsOf(caller.userId()).stream()
                        .map(OrganizationService::toOrganization)
                        .toList());
        int from = Math.min(page.skip(), all.size());
        int to = Math.min(all.size(), from + page.take());
        return new Page<>(all.subList(from, to), all.size(), page.skip(), page.take());
    }

    public Organization get(Principal caller, String organizationId) {
        return database.read(handle -> {
            Memberships.roleIn(handle, organizationId, caller);
            return toOrganization(handle.attach(OrganizationStore.class)
                    .membership(organizationId, caller.userId())
                    .orElseThrow());
        });
    }

    public Page<Member> members(Principal caller, String organizationId, PageRequest page) {
        return database.read(handle -> {
            Memberships.roleIn(handle, organizationId, caller);
            OrganizationStore store = handle.attach(OrganizationStore.class);
            return new Page<>(
                    store.members(organizationId, page.skip(), page.take()).stream()
                            .map(OrganizationService::toMember)
                            .toList(),
                    store.memberCount(organizationId),
                    page.skip(),
                    page.take());
        });
    }

    public Member addMember(Principal caller, String organizationId, AddMemberRequest request) {
        if (request.user() == null || request.user().isBlank()) {
            throw TrainyardException.invalid("user", "is required: a user id or username");
        }
        Role role = request.role() == null ? Role.MEMBER : request.role();
        Instant now = clock.instant();
        return database.write(handle -> {
            Role callerRole = Memberships.requireManager(handle, organizationId, caller);
            requireMayGrant(callerRole, role);
            OrganizationStore store = handle.attach(OrganizationStore.class);
            if (store.findById(organizationId).orElseThrow().personal()) {
                throw TrainyardException.conflict("a personal organization has only its owner; create a shared one");
            }
            UserRow user = findUser(handle, request.user().trim());
            if (store.membership(organizationId, user.id()).isPresent()) {
                throw TrainyardException.of(
                        ErrorCode.ALREADY_EXISTS,
                        "'" + user.username() + "' is already a member; change the role instead");
            }
            store.addMember(organizationId, user.id(), role.wireName(), now);
            ActivityLog.record(
                    handle,
                    organizationId,
                    null,
                    caller.userId(),
                    "member.added",
                    user.username() + " as " + role.wireName(),
                    now);
            return new Member(user.toRef(), role, now);
        });
    }

    public Member changeRole(Principal caller, String organizationId, String userId, ChangeRoleRequest request) {
        if (request.role() == null) {
            throw TrainyardException.invalid("role", "is required: owner, admin, member or viewer");
        }
        Instant now = clock.instant();
        return database.write(handle -> {
            Role callerRole = Memberships.requireManager(handle, organizationId, caller);
            OrganizationStore store = handle.attach(OrganizationStore.class);
            MembershipRow member = store.membership(organizationId, userId)
                    .orElseThrow(() -> TrainyardException.notFound("member", userId));
            Role current = Role.fromWire(member.role());
            requireMayGrant(callerRole, request.role());
            requireMayGrant(callerRole, current);
            if (current == Role.OWNER && request.role() != Role.OWNER && store.ownerCount(organizationId) == 1) {
                throw TrainyardException.conflict("an organization keeps at least one owner");
            }
            store.changeRole(organizationId, userId, request.role().wireName());
            ActivityLog.record(
                    handle,
                    organizationId,
                    null,
                    caller.userId(),
                    "member.role_changed",
                    member.username() + ": " + current.wireName() + " -> "
                            + request.role().wireName(),
                    now);
            return new Member(
                    new UserRef(member.userId(), member.username(), member.email()),
                    request.role(),
                    member.createdAt());
        });
    }

    public void removeMember(Principal caller, String organizationId, String userId) {
        Instant now = clock.instant();
        database.writeVoid(handle -> {
            Role callerRole = Memberships.roleIn(handle, organizationId, caller);
            OrganizationStore store = handle.attach(OrganizationStore.class);
            MembershipRow member = store.membership(organizationId, userId)
                    .orElseThrow(() -> TrainyardException.notFound("member", userId));
            boolean leaving = userId.equals(caller.userId());
            if (!leaving) {
                if (!callerRole.canManage()) {
                    throw TrainyardException.forbidden("only an organization's admins and owners can remove members");
                }
                requireMayGrant(callerRole, Role.fromWire(member.role()));
            }
            if (Role.OWNER.wireName().equals(member.role()) && store.ownerCount(organizationId) == 1) {
                throw TrainyardException.conflict("an organization keeps at least one owner");
            }
            store.removeMember(organizationId, userId);
            ActivityLog.record(handle, organizationId, null, caller.userId(), "member.removed", member.username(), now);
        });
    }

    private static void requireMayGrant(Role callerRole, Role role) {
        if (role == Role.OWNER && callerRole != Role.OWNER) {
            throw TrainyardException.forbidden("only owners can make or change owners");
        }
    }

    private static UserRow findUser(Handle handle, String reference) {
        UserStore users = handle.attach(UserStore.class);
        return (Ids.looksLike("u", reference)
                        ? users.findById(reference)
                        : users.findByUsername(reference.toLowerCase(Locale.ROOT)))
                .orElseThrow(() -> TrainyardException.notFound("user", reference));
    }

    static String validName(String raw) {
        String name = raw == null ? "" : raw.trim();
        if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
            throw TrainyardException.invalid("name", "is required, 1 to " + MAX_NAME_LENGTH + " characters");
        }
        return name;
    }

    private static Organization toOrganization(MembershipRow row) {
        return new Organization(
                row.organizationId(),
                row.organizationName(),
                row.personal(),
                Role.fromWire(row.role()),
                row.organizationCreatedAt());
    }

    private static Organization toOrganization(OrganizationRow row, Role role) {
        return new Organization(row.id(), row.name(), row.personal(), role, row.createdAt());
    }

    private static Member toMember(MembershipRow row) {
        return new Member(
                new UserRef(row.userId(), row.username(), row.email()), Role.fromWire(row.role()), row.createdAt());
    }
}
