package dev.trainyard.server.project;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.trainyard.api.ActivityEntry;
import dev.trainyard.api.Model;
import dev.trainyard.api.ModelExport;
import dev.trainyard.api.Project;
import dev.trainyard.server.activity.ActivityLog;
import dev.trainyard.server.activity.ActivityRow;
import dev.trainyard.server.common.Principal;
import dev.trainyard.server.store.Database;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The downloadable zip of a project: a {@code project.json} manifest (the project, its activity,
 * its models with their versions and metrics, and their exports) and the export files themselves
 * under {@code models/<model id>/exports/}.
 */
public final class ProjectArchive {
    public static final int FORMAT_VERSION = 2;
    private static final int MAX_ACTIVITY = 10_000;

    private final Database database;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final ModelSource models;

    /** Where the archive finds a project's models and their export files. */
    public interface ModelSource {
        List<Model> models(Principal caller, String projectId);

        /** The model's exports with where their bytes are. */
        List<ExportedFile> exportFiles(Principal caller, String projectId, String modelId);
    }

    /** An export and its file. */
    public record ExportedFile(ModelExport export, Path path) {}

    public ProjectArchive(Database database, ObjectMapper mapper, Clock clock, ModelSource models) {
        this.database = database;
        this.mapper = mapper.copy().enable(SerializationFeature.INDENT_OUTPUT);
        this.clock = clock;
        this.models = models;
    }

    /** What goes into {@code project.json}; {@code files} (not in the JSON) are the export files to add. */
    public record Manifest(
            int formatVersion,
            Instant exportedAt,
            Project project,
            List<ActivityEntry> activity,
            List<Model> models,
            Map<String, List<ModelExport>> exports,
            @com.fasterxml.jackson.annotation.JsonIgnore Map<String, Path> files) {}

    /** Reads what the archive holds; 404 when the caller cannot see the project. */
    public Manifest manifest(Principal caller, String projectId) {
        Manifest base = database.read(handle -> {
            Project project = ProjectService.visible(handle, caller, projectId).toProject();
            List<ActivityEntry> activity =
                    handle.attach(ActivityLog.class).forProject(projectId, 0, MAX_ACTIVITY).stream()
                            .map(ActivityRow::toEntry)
                            .toList();
            return new Manifest(FORMAT_VERSION, clock.instant(), project, activity, List.of(), Map.of(), Map.of());
        });
        List<Model> projectModels = models.models(caller, projectId);
        Map<String, List<ModelExport>> exports = new LinkedHashMap<>();
        Map<String, Path> files = new LinkedHashMap<>();
        for (Model model : projectModels) {
            List<ExportedFile> exported = models.exportFiles(caller, projectId, model.id());
            exports.put(model.id(), exported.stream().map(ExportedFile::export).toList());
            for (ExportedFile file : exported) {
                files.put("models/" + model.id() + "/exports/" + file.export().name(), file.path());
            }
        }
        return new Manifest(
                base.formatVersion(),
                base.exportedAt(),
                base.project(),
                base.activity(),
                projectModels,
                exports,
                files);
    }

    public void write(Manifest manifest, OutputStream out) throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("project.json"));
            zip.write(mapper.writeValueAsBytes(manifest));
            zip.closeEntry();
            for (Map.Entry<String, Path> file : manifest.files().entrySet()) {
                zip.putNextEntry(new ZipEntry(file.getKey()));
                Files.copy(file.getValue(), zip);
                zip.closeEntry();
            }
        }
    }

    public static String fileName(Project project) {
        String safe = project.name().replaceAll("[^A-Za-z0-9._-]+", "-").replaceAll("^-+|-+$", "");
        return (safe.isEmpty() ? "project" : safe) + "-" + project.id() + ".zip";
    }
}
