package dev.trainyard.cli;

import dev.trainyard.api.Me;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "login",
        description =
                "Check a server URL and API key and remember them (in ~/.config/trainyard/config.json, mode 0600).",
        footer = {"", "Example:", "  trainyard login --url http://localhost:8080 --api-key ty_..."})
final class LoginCommand implements Callable<Integer> {
    private final Cli cli;

    @Option(names = "--url", required = true, description = "The server, e.g. http://localhost:8080.")
    String url;

    @Option(names = "--api-key", required = true, description = "An API key (ty_...).")
    String apiKey;

    LoginCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() throws Exception {
        Me me = cli.client(url, apiKey).me();
        cli.saveCredentials(new Cli.Credentials(url, apiKey));
        cli.out.println("logged in to " + url + " as " + me.user().username());
        return Cli.ExitCode.OK;
    }
}
