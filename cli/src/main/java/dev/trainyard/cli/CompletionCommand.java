package dev.trainyard.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "completion",
        description = "Print a completion script: bash, or zsh (which loads it through bashcompinit).",
        footer = {"", "Example:", "  source <(trainyard completion bash)"})
final class CompletionCommand implements Callable<Integer> {
    private final Cli cli;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "SHELL", defaultValue = "bash", description = "bash or zsh")
    String shell;

    CompletionCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        if (!shell.equals("bash") && !shell.equals("zsh")) {
            throw new IllegalArgumentException("completion scripts exist for bash and zsh, not " + shell);
        }
        String script = AutoComplete.bash("trainyard", spec.root().commandLine());
        if (shell.equals("zsh")) {
            cli.out.println("autoload -U +X compinit && compinit");
            cli.out.println("autoload -U +X bashcompinit && bashcompinit");
        }
        cli.out.print(script);
        cli.out.flush();
        return Cli.ExitCode.OK;
    }
}
