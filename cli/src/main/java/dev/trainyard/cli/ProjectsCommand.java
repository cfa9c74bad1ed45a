package dev.trainyard.cli;

import dev.trainyard.api.CreateProjectRequest;
import dev.trainyard.api.Project;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "projects", description = "Projects of your organizations.")
final class ProjectsCommand {
    private final Cli cli;

    ProjectsCommand(Cli cli) {
        this.cli = cli;
    }

    @Command(name = "list", description = "List projects, newest first.")
    int list(@Mixin Output output, @Option(names = "--take", defaultValue = "100") int take) {
        List<Project> projects =
                new ArrayList<>(cli.client().listProjects(0, take).items());
        print(output, projects, projects);
        return Cli.ExitCode.OK;
    }

    @Command(
            name = "create",
            description = "Create a project.",
            footer = {"", "Example:", "  trainyard projects create mnist --description 'digits'"})
    int create(
            @Mixin Output output,
            @Parameters(paramLabel = "NAME") String name,
            @Option(names = "--description") String description,
            @Option(names = "--org", description = "Organization id (default: your own).") String organization) {
        Project project = cli.client().createProject(new CreateProjectRequest(name, description, organization));
        print(output, project, List.of(project));
        return Cli.ExitCode.OK;
    }

    @Command(name = "get", description = "Show a project.")
    int get(@Mixin Output output, @Parameters(paramLabel = "PROJECT") String id) {
        Project project = cli.client().getProject(id);
        print(output, project, List.of(project));
        return Cli.ExitCode.OK;
    }

    @Command(name = "delete", description = "Delete a project (organization admins and owners).")
    int delete(@Parameters(paramLabel = "PROJECT") String id) {
        cli.client().deleteProject(id);
        cli.out.println("deleted " + id);
        return Cli.ExitCode.OK;
    }

    @Command(name = "download", description = "Download the project's zip (manifest, models, exports).")
    int download(
            @Parameters(paramLabel = "PROJECT") String id, @Option(names = {"-O", "--to"}) java.nio.file.Path target) {
        java.nio.file.Path to = target != null ? target : java.nio.file.Path.of(id + ".zip");
        cli.client().downloadProject(id, to);
        cli.out.println("saved " + to);
        return Cli.ExitCode.OK;
    }

    private void print(Output output, Object value, List<Project> projects) {
        Instant now = Instant.now();
        cli.print(
                output,
                value,
                List.of("ID", "NAME", "ORGANIZATION", "CREATED"),
                projects.stream()
                        .map(project -> List.of(
                                project.id(),
                                project.name(),
                                project.organization(),
                                Table.ago(project.createdAt(), now)))
                        .toList());
    }
}
