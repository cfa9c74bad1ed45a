package dev.trainyard.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "logout", description = "Forget the saved URL and API key.")
final class LogoutCommand implements Callable<Integer> {
    private final Cli cli;

    LogoutCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() throws Exception {
        cli.forgetCredentials();
        cli.out.println("logged out");
        return Cli.ExitCode.OK;
    }
}
