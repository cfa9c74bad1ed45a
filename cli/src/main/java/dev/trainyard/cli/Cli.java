package dev.trainyard.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.trainyard.client.Trainyard;
import dev.trainyard.client.TrainyardException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code trainyard} command line: {@code ./trainyard <command>}. Every command takes {@code -o
 * table|json|yaml}; errors go to stderr in one line; exit codes are stable (see {@link ExitCode}).
 */
@Command(
        name = "trainyard",
        mixinStandardHelpOptions = true,
        // --help and --version on every command, not only here.
        scope = CommandLine.ScopeType.INHERIT,
        version = "trainyard command line",
        description = "Trainyard from the command line: log in once, then submit and watch jobs, read credits.",
        footer = {
            "",
            "Examples:",
            "  trainyard login --url http://localhost:8080 --api-key ty_...",
            "  trainyard jobs submit --project p-123 --cpu 2 --memory 4 -- python train.py",
            "  trainyard jobs wait j-456",
            "  trainyard credits balance -o json",
            "",
            "Exit codes: 0 ok, 1 job failed, 2 usage, 3 authentication, 4 not found, 5 insufficient credits,"
                    + " 6 other error."
        },
        subcommands = {
            LoginCommand.class,
            LogoutCommand.class,
            WhoamiCommand.class,
            ProjectsCommand.class,
            OrgsCommand.class,
            ApiKeysCommand.class,
            JobsCommand.class,
            CreditsCommand.class,
            DatasetsCommand.class,
            ModelsCommand.class,
            ExportsCommand.class,
            CompletionCommand.class
        })
public final class Cli {
    /** Stable exit codes, for scripts and agents. */
    public static final class ExitCode {
        public static final int OK = 0;
        public static final int JOB_FAILED = 1;
        public static final int USAGE = 2;
        public static final int AUTH = 3;
        public static final int NOT_FOUND = 4;
        public static final int INSUFFICIENT_CREDITS = 5;
        public static final int ERROR = 6;

        private ExitCode() {}
    }

    private final Map<String, String> environment;
    private final Path configDir;
    final PrintWriter out;
    final PrintWriter err;
    final ObjectMapper json = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();
    final ObjectMapper yaml = YAMLMapper.builder(new YAMLFactory())
            .addModule(new JavaTimeModule())
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    public Cli(Map<String, String> environment, Path configDir, PrintWriter out, PrintWriter err) {
        this.environment = environment;
        this.configDir = configDir;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        Path home = Path.of(System.getProperty("user.home"));
        String xdg = System.getenv("XDG_CONFIG_HOME");
        Path configDir = (xdg == null || xdg.isBlank() ? home.resolve(".config") : Path.of(xdg)).resolve("trainyard");
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(run(new Cli(System.getenv(), configDir, out, err), args));
    }

    /** Runs one command line and answers its exit code. */
    public static int run(Cli cli, String... args) {
        CommandLine command = new CommandLine(cli, new Factory(cli))
                .setOut(cli.out)
                .setErr(cli.err)
                .setExecutionExceptionHandler((exception, line, parsed) -> cli.fail(exception))
                .setExitCodeExceptionMapper(exception -> ExitCode.USAGE);
        command.getCommandSpec().exitCodeOnInvalidInput(ExitCode.USAGE);
        int code = command.execute(args);
        cli.out.flush();
        cli.err.flush();
        return code;
    }

    /** One line on stderr and the exit code that fits the error. */
    int fail(Exception exception) {
        if (exception instanceof TrainyardException e && e.status() > 0) {
            err.println("error: " + e.getMessage() + (e.requestId() == null ? "" : " (request " + e.requestId() + ")"));
            return switch (e.status()) {
                case 401, 403 -> ExitCode.AUTH;
                case 404 -> ExitCode.NOT_FOUND;
                case 402 -> ExitCode.INSUFFICIENT_CREDITS;
                case 400, 409, 413 -> ExitCode.USAGE;
                default -> ExitCode.ERROR;
            };
        }
        if (exception instanceof CommandLine.ParameterException || exception instanceof IllegalArgumentException) {
            err.println("error: " + exception.getMessage());
            return ExitCode.USAGE;
        }
        if (exception instanceof NotLoggedInException) {
            err.println("error: " + exception.getMessage());
            return ExitCode.AUTH;
        }
        err.println("error: " + exception.getMessage());
        return ExitCode.ERROR;
    }

    /** Where the server is and the key to it: TRAINYARD_URL / TRAINYARD_API_KEY, else the login file. */
    record Credentials(String url, String apiKey) {}

    static final class NotLoggedInException extends RuntimeException {
        NotLoggedInException() {
            super("not logged in: run 'trainyard login --url URL --api-key KEY' or set TRAINYARD_URL and"
                    + " TRAINYARD_API_KEY");
        }
    }

    Credentials credentials() {
        String url = environment.get("TRAINYARD_URL");
        String key = environment.get("TRAINYARD_API_KEY");
        if (url != null && !url.isBlank() && key != null && !key.isBlank()) {
            return new Credentials(url, key);
        }
        Path file = configFile();
        if (!Files.exists(file)) {
            throw new NotLoggedInException();
        }
        try {
            Credentials saved = json.readValue(file.toFile(), Credentials.class);
            return new Credentials(
                    url != null && !url.isBlank() ? url : saved.url(),
                    key != null && !key.isBlank() ? key : saved.apiKey());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    Trainyard client() {
        Credentials credentials = credentials();
        return client(credentials.url(), credentials.apiKey());
    }

    Trainyard client(String url, String apiKey) {
        return Trainyard.builder().baseUrl(url).apiKey(apiKey).build();
    }

    Path configFile() {
        return configDir.resolve("config.json");
    }

    /** Saves the login in the user's config folder, readable by the user only (0600). */
    void saveCredentials(Credentials credentials) throws IOException {
        Files.createDirectories(configDir);
        Path file = configFile();
        Path temporary = file.resolveSibling("config.json.tmp");
        Files.deleteIfExists(temporary);
        Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(temporary, json.writeValueAsString(credentials), StandardOpenOption.TRUNCATE_EXISTING);
        Files.move(
                temporary,
                file,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    void forgetCredentials() throws IOException {
        Files.deleteIfExists(configFile());
    }

    /** Prints {@code value} as JSON or YAML, or as the table the command built. */
    void print(Output output, Object value, List<String> headers, List<List<String>> rows) {
        try {
            switch (output.format) {
                case json -> out.println(json.writeValueAsString(value));
                case yaml -> out.print(yaml.writeValueAsString(value));
                case table -> out.print(Table.render(headers, rows));
            }
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Lets subcommands be built with the Cli they belong to. */
    private record Factory(Cli cli) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            try {
                return type.getDeclaredConstructor(Cli.class).newInstance(cli);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(type);
            }
        }
    }
}
