package dev.trainyard.cli;

import dev.trainyard.api.ModelExport;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "exports", description = "A model's exports: list and download.")
final class ExportsCommand {
    private final Cli cli;

    ExportsCommand(Cli cli) {
        this.cli = cli;
    }

    @Command(name = "list", description = "A model's exports.")
    int list(
            @Mixin Output output,
            @Option(names = "--project", required = true) String project,
            @Parameters(paramLabel = "MODEL") String model) {
        List<ModelExport> exports = cli.client().exports(project, model);
        Instant now = Instant.now();
        cli.print(
                output,
                exports,
                List.of("NAME", "FORMAT", "VERSION", "SIZE", "SHA256", "CREATED"),
                exports.stream()
                        .map(export -> List.of(
                                export.name(),
                                export.format(),
                                String.valueOf(export.version()),
                                Table.size(export.sizeBytes()),
                                export.sha256().substring(0, 12),
                                Table.ago(export.createdAt(), now)))
                        .toList());
        return Cli.ExitCode.OK;
    }

    @Command(name = "download", description = "Download an export to a file (-O, default: its name).")
    int download(
            @Option(names = "--project", required = true) String project,
            @Parameters(index = "0", paramLabel = "MODEL") String model,
            @Parameters(index = "1", paramLabel = "EXPORT") String export,
            @Option(names = {"-O", "--to"}) Path target) {
        Path to = target != null ? target : Path.of(export);
        try (ProgressBar bar = Transfers.bar(cli, "download " + export, 0)) {
            cli.client().downloadExport(project, model, export, to, (bytes, total) -> {
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
}
