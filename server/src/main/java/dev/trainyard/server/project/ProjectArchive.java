package dev.trainyard.server.project;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.trainyard.api.ActivityEntry;
import dev.trainyard.api.Project;
import dev.trainyard.server.activity.ActivityLog;
import dev.trainyard.server.activity.ActivityRow;
import dev.trainyard.server.common.Principal;
import dev.trainyard.server.store.Database;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** The downloadable zip of a project: a {@code project.json} manifest (later: models, exports). */
public final class ProjectArchive {
    public static final int FORMAT_VERSION = 1;
    private static final int MAX_ACTIVITY = 10_000;

    private final Database database;
    private final ObjectMapper mapper;
    private final Clock clock;

    public ProjectArchive(Database database, ObjectMapper mapper, Clock clock) {
        this.database = database;
        this.mapper = mapper.copy().enable(SerializationFeature.INDENT_OUTPUT);
        this.clock = clock;
    }

    /** What goes into {@code project.json}. */
    public record Manifest(int formatVersion, Instant exportedAt, Project project, List<ActivityEntry> activity) {}

    /** Reads what the archive holds; 404 when the caller cannot see the project. */
    public Manifest manifest(Principal caller, String projectId) {
        return database.read(handle -> {
            Project project = ProjectService.visible(handle, caller, projectId).toProject();
            List<ActivityEntry> activity =
                    handle.attach(ActivityLog.class).forProject(projectId, 0, MAX_ACTIVITY).stream()
                            .map(ActivityRow::toEntry)
                            .toList();
            return new Manifest(FORMAT_VERSION, clock.instant(), project, activity);
        });
    }

    public void write(Manifest manifest, OutputStream out) throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("project.json"));
            zip.write(mapper.writeValueAsBytes(manifest));
            zip.closeEntry();
        }
    }

    public static String fileName(Project project) {
        String safe = project.name().replaceAll("[^A-Za-z0-9._-]+", "-").replaceAll("^-+|-+$", "");
        return (safe.isEmpty() ? "project" : safe) + "-" + project.id() + ".zip";
    }
}
