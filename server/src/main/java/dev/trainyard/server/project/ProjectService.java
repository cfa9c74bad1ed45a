package dev.trainyard.server.project;

import dev.trainyard.api.ActivityEntry;
import dev.trainyard.api.CreateProjectRequest;
import dev.trainyard.api.Page;
import dev.trainyard.api.Project;
import dev.trainyard.api.Role;
import dev.trainyard.api.UpdateProjectRequest;
import dev.trainyard.server.activity.ActivityLog;
import dev.trainyard.server.activity.ActivityRow;
import dev.trainyard.server.common.Ids;
import dev.trainyard.server.common.PageRequest;
import dev.trainyard.server.common.Principal;
import dev.trainyard.server.common.TrainyardException;
import dev.trainyard.server.org.Memberships;
import dev.trainyard.server.store.Database;
import dev.trainyard.server.user.UserStore;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * Projects: viewers read, members write, admins and owners delete. A project in an organization
 * the caller is not in is a 404 everywhere.
 */
public final class ProjectService {
    private static final int MAX_NAME_LENGTH = 100;
    private static final int MAX_DESCRIPTION_LENGTH = 10_000;

    private final Database database;
    private final Clock clock;

    public ProjectService(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    public Page<Project> list(Principal caller, String organizationId, PageRequest page) {
        return database.read(handle -> {
            if (organizationId != null) {
                Memberships.roleIn(handle, organizationId, caller);
            }
            ProjectStore store = handle.attach(ProjectStore.class);
            List<Project> items = store.listVisible(caller.userId(), organizationId, page.skip(), page.take()).stream()
                    .map(ProjectRow::toProject)
                    .toList();
            return new Page<>(items, store.countVisible(caller.userId(), organizationId), page.skip(), page.take());
        });
    }

    public Project create(Principal caller, CreateProjectRequest request) {
        String name = validName(request.name());
        String description = validDescription(request.description());
        Instant now = clock.instant();
        return database.write(handle -> {
            String organizationId = request.organization() != null
                    ? request.organization().trim()
                    : handle.attach(UserStore.class)
                            .findById(caller.userId())
                            .orElseThrow()
                            .personalOrgId();
            Memberships.requireWriter(handle, organizationId, caller);
            String id = Ids.newId("p");
            Database.unique(
                    () -> {
                        handle.attach(ProjectStore.class)
                                .insert(id, organizationId, name, description, caller.userId(), now);
                        return id;
                    },
                    "a project named '" + name + "' already exists in this organization");
            ActivityLog.record(handle, organizationId, id, caller.userId(), "project.created", name, now);
            return handle.attach(ProjectStore.class).findById(id).orElseThrow().toProject();
        });
    }

    public Project get(Principal caller, String projectId) {
        return database.read(handle -> visible(handle, caller, projectId).toProject());
    }

    public Project update(Principal caller, String projectId, UpdateProjectRequest request) {
        Instant now = clock.instant();
        return database.write(handle -> {
            ProjectRow project = visible(handle, caller, projectId);
            Memberships.requireWriter(handle, project.organizationId(), caller);
            String name = request.name() == null ? project.name() : validName(request.name());
            String description =
                    request.description() == null ? project.description() : validDescription(request.description());
            Database.unique(
                    () -> handle.attach(ProjectStore.class).update(projectId, name, description, now),
                    "a project named '" + name + "' already exists in this organization");
            ActivityLog.record(
                    handle,
                    project.organizationId(),
                    projectId,
                    caller.userId(),
                    "project.updated",
                    changes(project, name, description),
                    now);
            return handle.attach(ProjectStore.class)
                    .findById(projectId)
                    .orElseThrow()
                    .toProject();
        });
    }

    public void delete(Principal caller, String projectId) {
        Instant now = clock.instant();
        database.writeVoid(handle -> {
            ProjectRow project = visible(handle, caller, projectId);
            Memberships.requireManager(handle, project.organizationId(), caller);
            long activeJobs = handle.attach(ProjectStore.class).activeJobs(projectId);
            if (activeJobs > 0) {
                throw TrainyardException.conflict(
                        "the project has " + activeJobs + " queued or running job(s); stop them first");
            }
            handle.attach(ProjectStore.class).delete(projectId);
            ActivityLog.record(
                    handle,
                    project.organizationId(),
                    projectId,
                    caller.userId(),
                    "project.deleted",
                    project.name(),
                    now);
        });
    }

    public Page<ActivityEntry> activity(Principal caller, String projectId, PageRequest page) {
        return database.read(handle -> {
            visible(handle, caller, projectId);
            ActivityLog log = handle.attach(ActivityLog.class);
            return new Page<>(
                    log.forProject(projectId, page.skip(), page.take()).stream()
                            .map(ActivityRow::toEntry)
                            .toList(),
                    log.countForProject(projectId),
                    page.skip(),
                    page.take());
        });
    }

    /** The project, if the caller may see it; 404 otherwise, whether or not it exists. */
    public static ProjectRow visible(Handle handle, Principal caller, String projectId) {
        return visibleWithRole(handle, caller, projectId).project();
    }

    /** A project the caller may see, and the caller's role in its organization. */
    public record Visible(ProjectRow project, Role role) {}

    /** The project and the caller's role in it (one membership lookup); 404 when not visible. */
    public static Visible visibleWithRole(Handle handle, Principal caller, String projectId) {
        if (!Ids.looksLike("p", projectId)) {
            throw TrainyardException.notFound("project", projectId);
        }
        ProjectRow project = handle.attach(ProjectStore.class)
                .findById(projectId)
                .orElseThrow(() -> TrainyardException.notFound("project", projectId));
        try {
            return new Visible(project, Memberships.roleIn(handle, project.organizationId(), caller));
        } catch (TrainyardException notMember) {
            throw TrainyardException.notFound("project", projectId);
        }
    }

    private static String changes(ProjectRow before, String name, String description) {
        StringBuilder text = new StringBuilder();
        if (!before.name().equals(name)) {
            text.append("name: ").append(before.name()).append(" -> ").append(name);
        }
        if (!before.description().equals(description)) {
            text.append(text.isEmpty() ? "" : "; ").append("description changed");
        }
        return text.isEmpty() ? "no change" : text.toString();
    }

    private static String validName(String raw) {
        String name = raw == null ? "" : raw.trim();
        if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
            throw TrainyardException.invalid("name", "is required, 1 to " + MAX_NAME_LENGTH + " characters");
        }
        return name;
    }

    private static String validDescription(String raw) {
        String description = raw == null ? "" : raw.trim();
        if (description.length() > MAX_DESCRIPTION_LENGTH) {
            throw TrainyardException.invalid("description", "is longer than " + MAX_DESCRIPTION_LENGTH + " characters");
        }
        return description;
    }
}
