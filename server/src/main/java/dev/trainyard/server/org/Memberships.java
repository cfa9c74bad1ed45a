package dev.trainyard.server.org;

import dev.trainyard.api.Role;
import dev.trainyard.server.common.Ids;
import dev.trainyard.server.common.Principal;
import dev.trainyard.server.common.TrainyardException;
import org.jdbi.v3.core.Handle;

/**
 * The one place that decides what a caller may do in an organization. An organization the caller
 * is not in does not exist for them (404); inside it, too weak a role is a 403.
 */
public final class Memberships {
    private Memberships() {}

    /** The caller's role, or 404 when they are not a member. */
    public static Role roleIn(Handle handle, String organizationId, Principal caller) {
        if (!Ids.looksLike("o", organizationId)) {
            throw TrainyardException.notFound("organization", organizationId);
        }
        return handle.attach(OrganizationStore.class)
                .membership(organizationId, caller.userId())
                .map(row -> Role.fromWire(row.role()))
                .orElseThrow(() -> TrainyardException.notFound("organization", organizationId));
    }

    /** Requires a role that may write (member or above). */
    public static Role requireWriter(Handle handle, String organizationId, Principal caller) {
        return requireWriter(roleIn(handle, organizationId, caller));
    }

    /** Requires that {@code role}, already looked up, may write (member or above). */
    public static Role requireWriter(Role role) {
        if (!role.canWrite()) {
            throw TrainyardException.forbidden("viewers can read but not change this organization's resources");
        }
        return role;
    }

    /** Requires a role that may manage (admin or owner). */
    public static Role requireManager(Handle handle, String organizationId, Principal caller) {
        Role role = roleIn(handle, organizationId, caller);
        if (!role.canManage()) {
            throw TrainyardException.forbidden("only an organization's admins and owners can do this");
        }
        return role;
    }
}
