package dev.trainyard.cli;

import dev.trainyard.api.Me;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "whoami", description = "Who the saved key belongs to, and their organizations.")
final class WhoamiCommand implements Callable<Integer> {
    private final Cli cli;

    @Mixin
    Output output;

    WhoamiCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        Me me = cli.client().me();
        cli.print(
                output,
                me,
                List.of("USER", "EMAIL", "ADMIN", "ORGANIZATION", "ROLE"),
                me.organizations().stream()
                        .map(org -> List.of(
                                me.user().username(),
                                me.user().email() == null ? "-" : me.user().email(),
                                String.valueOf(me.user().admin()),
                                org.name() + " (" + org.id() + ")",
                                org.role().toString().toLowerCase(java.util.Locale.ROOT)))
                        .toList());
        return Cli.ExitCode.OK;
    }
}
