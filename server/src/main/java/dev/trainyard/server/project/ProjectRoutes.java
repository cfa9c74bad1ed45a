package dev.trainyard.server.project;

import dev.trainyard.api.ActivityEntry;
import dev.trainyard.api.CreateProjectRequest;
import dev.trainyard.api.Project;
import dev.trainyard.api.UpdateProjectRequest;
import dev.trainyard.server.http.Route;
import java.util.List;

/** Projects, their activity and their download. */
public final class ProjectRoutes {
    private static final String TAG = "Projects";

    private final ProjectService projects;
    private final ProjectArchive archive;

    public ProjectRoutes(ProjectService projects, ProjectArchive archive) {
        this.projects = projects;
        this.archive = archive;
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/api/projects")
                        .tag(TAG)
                        .summary("List the projects of your organizations, newest first")
                        .paged()
                        .query("org", String.class, "Only this organization's projects (synonym: organization).")
                        .query("organization", String.class, "Synonym of org.")
                        .returns(200, Route.pageOf(Project.class))
                        .errors(400, 404)
                        .handle(call -> call.ok(projects.list(
                                call.principal(),
                                call.query("org", "organization").orElse(null),
                                call.page()))),
                Route.post("/api/projects")
                        .tag(TAG)
                        .summary("Create a project (members and above); default: your personal organization")
                        .body(CreateProjectRequest.class)
                        .returns(201, Project.class)
                        .errors(400, 403, 404, 409)
                        .handle(call -> call.json(
                                201, projects.create(call.principal(), call.body(CreateProjectRequest.class)))),
                Route.get("/api/projects/{projectId}")
                        .tag(TAG)
                        .summary("Get a project")
                        .returns(200, Project.class)
                        .errors(404)
                        .handle(call -> call.ok(projects.get(call.principal(), call.path("projectId")))),
                Route.patch("/api/projects/{projectId}")
                        .tag(TAG)
                        .summary("Change a project's name or description (members and above)")
                        .body(UpdateProjectRequest.class)
                        .returns(200, Project.class)
                        .errors(400, 403, 404, 409)
                        .handle(call -> call.ok(projects.update(
                                call.principal(), call.path("projectId"), call.body(UpdateProjectRequest.class)))),
                Route.delete("/api/projects/{projectId}")
                        .tag(TAG)
                        .summary("Delete a project (organization admins and owners)")
                        .returns(204, null)
                        .errors(403, 404)
                        .handle(call -> {
                            projects.delete(call.principal(), call.path("projectId"));
                            call.noContent();
                        }),
                Route.get("/api/projects/{projectId}/download")
                        .tag(TAG)
                        .summary("Download the project as a zip (project.json manifest)")
                        .returns(200, byte[].class, "application/zip")
                        .errors(404)
                        .handle(call -> {
                            ProjectArchive.Manifest manifest =
                                    archive.manifest(call.principal(), call.path("projectId"));
                            call.context()
                                    .status(200)
                                    .contentType("application/zip")
                                    .header(
                                            "Content-Disposition",
                                            "attachment; filename=\"" + ProjectArchive.fileName(manifest.project())
                                                    + "\"");
                            archive.write(manifest, call.context().outputStream());
                        }),
                Route.get("/api/projects/{projectId}/activity")
                        .tag(TAG)
                        .summary("Who did what in the project, newest first")
                        .paged()
                        .returns(200, Route.pageOf(ActivityEntry.class))
                        .errors(400, 404)
                        .handle(call ->
                                call.ok(projects.activity(call.principal(), call.path("projectId"), call.page()))));
    }
}
