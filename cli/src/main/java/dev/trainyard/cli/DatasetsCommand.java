package dev.trainyard.cli;

import dev.trainyard.api.Dataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "datasets", description = "Datasets of a project (uploads and downloads stream, with a progress bar).")
final class DatasetsCommand {
    private final Cli cli;

    DatasetsCommand(Cli cli) {
        this.cli = cli;
    }

    @Command(
            name = "upload",
            description = "Upload a file as the next version of a dataset (its name: --name, else the file name).",
            footer = {"", "Example:", "  trainyard datasets upload --project p-123 iris.csv"})
    int upload(
            @Mixin Output output,
            @Option(names = "--project", required = true) String project,
            @Option(names = "--name") String name,
            @Parameters(paramLabel = "FILE") Path file)
            throws Exception {
        String label = name != null ? name : file.getFileName().toString();
        Dataset dataset;
        try (ProgressBar bar = Transfers.bar(cli, "upload " + label, Files.size(file))) {
            dataset = cli.client().uploadDataset(project, label, file, bar::stepTo);
        }
        cli.err.println();
        print(output, dataset, List.of(dataset));
        return Cli.ExitCode.OK;
    }

    @Command(name = "list", description = "Every version of every dataset of a project.")
    int list(@Mixin Output output, @Option(names = "--project", required = true) String project) {
        List<Dataset> datasets = cli.client().datasets(project).toList();
        print(output, datasets, datasets);
        return Cli.ExitCode.OK;
    }

    @Command(name = "download", description = "Download a dataset version to a file (-O, default: its name).")
    int download(
            @Option(names = "--project", required = true) String project,
            @Parameters(paramLabel = "DATASET") String dataset,
            @Option(names = {"-O", "--to"}) Path target) {
        Path to = target != null ? target : Path.of(dataset + ".data");
        try (ProgressBar bar = Transfers.bar(cli, "download " + dataset, 0)) {
            cli.client().downloadDataset(project, dataset, to, (bytes, total) -> {
                if (total > 0) {
                    bar.maxHint(total);
                }
                bar.stepTo(bytes);
            });
        }
        cli.err.println();
        cli.out.println("saved " + to);
        return Cli.ExitCode.OK;
    }

    private void print(Output output, Object value, List<Dataset> datasets) {
        Instant now = Instant.now();
        cli.print(
                output,
                value,
                List.of("ID", "NAME", "VERSION", "FORMAT", "ROWS", "SIZE", "CREATED"),
                datasets.stream()
                        .map(dataset -> java.util.Arrays.asList(
                                dataset.id(),
                                dataset.name(),
                                String.valueOf(dataset.version()),
                                dataset.format(),
                                dataset.rows() == null ? null : String.valueOf(dataset.rows()),
                                Table.size(dataset.sizeBytes()),
                                Table.ago(dataset.createdAt(), now)))
                        .toList());
    }
}
