package dev.trainyard.server;

import dev.trainyard.server.common.Durations;
import dev.trainyard.server.config.CreditsConfig;
import dev.trainyard.server.config.DatabaseConfig;
import dev.trainyard.server.config.JobsConfig;
import dev.trainyard.server.config.ServerConfig;
import dev.trainyard.server.credit.Money;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Entry point: {@code trainyard server [options]}. */
@Command(
        name = "trainyard",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        subcommands = {Main.ServerCommand.class},
        description = "Trainyard: a self-hostable training cloud.")
public final class Main {

    public static void main(String[] args) {
        int exitCode = new CommandLine(new Main()).execute(args);
        if (exitCode != 0) {
            System.exit(exitCode);
        }
    }

    @Command(
            name = "server",
            mixinStandardHelpOptions = true,
            description = {
                "Starts the Trainyard server. Every option can also be set by the environment variable",
                "named beside it; flags win over the environment."
            },
            footer = {
                "",
                "On first start with an empty data folder the administrator and an API key are",
                "created and written to DIR/initial-admin.json (mode 0600)."
            })
    static final class ServerCommand implements Callable<Integer> {
        @Option(
                names = "--port",
                defaultValue = "${env:TRAINYARD_PORT:-8080}",
                description = "HTTP port (TRAINYARD_PORT, default ${DEFAULT-VALUE}); 0 picks a free one.")
        int port;

        @Option(
                names = "--host",
                defaultValue = "${env:TRAINYARD_HOST:-0.0.0.0}",
                description = "Address to listen on (TRAINYARD_HOST, default ${DEFAULT-VALUE}).")
        String host;

        @Option(
                names = "--data",
                paramLabel = "DIR",
                defaultValue = "${env:TRAINYARD_DATA:-./data}",
                description =
                        "Data folder: database, keys, job folders, blobs (TRAINYARD_DATA, default ${DEFAULT-VALUE}).")
        Path data;

        @Option(
                names = "--database-url",
                defaultValue = "${env:TRAINYARD_DATABASE_URL}",
                description =
                        "jdbc:postgresql://... to use PostgreSQL (TRAINYARD_DATABASE_URL); default: SQLite in the data folder.")
        String databaseUrl;

        @Option(
                names = "--database-user",
                defaultValue = "${env:TRAINYARD_DATABASE_USER}",
                description = "Database user (TRAINYARD_DATABASE_USER).")
        String databaseUser;

        @Option(
                names = "--database-password",
                defaultValue = "${env:TRAINYARD_DATABASE_PASSWORD}",
                description = "Database password (TRAINYARD_DATABASE_PASSWORD); never logged.")
        String databasePassword;

        @Option(
                names = "--token-ttl",
                defaultValue = "${env:TRAINYARD_TOKEN_TTL:-1h}",
                description = "Lifetime of access tokens (TRAINYARD_TOKEN_TTL, default ${DEFAULT-VALUE}).")
        String tokenTtl;

        @Option(
                names = "--refresh-token-ttl",
                defaultValue = "${env:TRAINYARD_REFRESH_TOKEN_TTL:-30d}",
                description = "Lifetime of refresh tokens (TRAINYARD_REFRESH_TOKEN_TTL, default ${DEFAULT-VALUE}).")
        String refreshTokenTtl;

        @Option(
                names = "--auth-rate-limit",
                defaultValue = "${env:TRAINYARD_AUTH_RATE_LIMIT:-60}",
                description =
                        "Token and login attempts per minute per client address (TRAINYARD_AUTH_RATE_LIMIT, default ${DEFAULT-VALUE}).")
        int authRateLimit;

        @Option(
                names = "--max-request-bytes",
                defaultValue = "${env:TRAINYARD_MAX_REQUEST_BYTES:-1048576}",
                description = "Largest JSON request body (TRAINYARD_MAX_REQUEST_BYTES, default ${DEFAULT-VALUE}).")
        long maxRequestBytes;

        @Option(
                names = "--job-cpus",
                defaultValue = "${env:TRAINYARD_JOB_CPUS:-0}",
                description = "CPU cores offered to jobs (TRAINYARD_JOB_CPUS); 0 = all the OS reports.")
        int jobCpus;

        @Option(
                names = "--job-memory-gb",
                defaultValue = "${env:TRAINYARD_JOB_MEMORY_GB:-0}",
                description = "Memory offered to jobs in GB (TRAINYARD_JOB_MEMORY_GB); 0 = all the OS reports.")
        long jobMemoryGb;

        @Option(
                names = "--gpus",
                defaultValue = "${env:TRAINYARD_GPUS:-}",
                description =
                        "GPUs offered to jobs, e.g. 'H100:2,A100:1' or 'none' (TRAINYARD_GPUS); default: detect with nvidia-smi.")
        String gpus;

        @Option(
                names = "--stop-grace",
                defaultValue = "${env:TRAINYARD_STOP_GRACE:-30s}",
                description =
                        "Time between SIGTERM and SIGKILL when a job stops (TRAINYARD_STOP_GRACE, default ${DEFAULT-VALUE}).")
        String stopGrace;

        @Option(
                names = "--job-isolation",
                defaultValue = "${env:TRAINYARD_JOB_ISOLATION:-true}",
                description =
                        "Run each job as its own user id when the server is root (TRAINYARD_JOB_ISOLATION, default ${DEFAULT-VALUE}).")
        boolean jobIsolation;

        @Option(
                names = "--public-url",
                defaultValue = "${env:TRAINYARD_PUBLIC_URL:-}",
                description = "URL jobs use to reach the server (TRAINYARD_PUBLIC_URL); default http://127.0.0.1:PORT.")
        String publicUrl;

        @Option(
                names = "--metrics-interval",
                defaultValue = "${env:TRAINYARD_METRICS_INTERVAL:-5s}",
                description = "How often each running job's cpu, memory, disk and GPU use is sampled"
                        + " (TRAINYARD_METRICS_INTERVAL, default ${DEFAULT-VALUE}).")
        String metricsInterval;

        @Option(
                names = "--metrics-retention",
                defaultValue = "${env:TRAINYARD_METRICS_RETENTION:-30d}",
                description =
                        "How long metric points are kept (TRAINYARD_METRICS_RETENTION, default ${DEFAULT-VALUE}).")
        String metricsRetention;

        @Option(
                names = "--welcome-credits",
                defaultValue = "${env:TRAINYARD_WELCOME_CREDITS:-1000}",
                description =
                        "Credits a new organization's account opens with (TRAINYARD_WELCOME_CREDITS, default ${DEFAULT-VALUE}).")
        java.math.BigDecimal welcomeCredits;

        @Option(
                names = "--metering-period",
                defaultValue = "${env:TRAINYARD_METERING_PERIOD:-60s}",
                description =
                        "How often running jobs are billed (TRAINYARD_METERING_PERIOD, default ${DEFAULT-VALUE}).")
        String meteringPeriod;

        @Option(
                names = "--prices",
                defaultValue = "${env:TRAINYARD_PRICES:-}",
                description =
                        "A JSON price list replacing the shipped one (TRAINYARD_PRICES); see GET /api/credits/prices.")
        String prices;

        @Option(
                names = "--max-dataset-bytes",
                defaultValue = "${env:TRAINYARD_MAX_DATASET_BYTES:-10737418240}",
                description = "Largest dataset upload (TRAINYARD_MAX_DATASET_BYTES, default ${DEFAULT-VALUE}, 10 GiB).")
        long maxDatasetBytes;

        @Override
        public Integer call() throws Exception {
            ServerConfig config = toConfig();
            TrainyardServer server = TrainyardServer.start(config);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close();
                stopped.countDown();
            }));
            stopped.await();
            return 0;
        }

        ServerConfig toConfig() {
            Path dataDir = data.toAbsolutePath().normalize();
            DatabaseConfig database = databaseUrl == null || databaseUrl.isBlank()
                    ? DatabaseConfig.sqliteIn(dataDir)
                    : new DatabaseConfig(databaseUrl, databaseUser, databasePassword);
            return new ServerConfig(
                    host,
                    port,
                    dataDir,
                    database,
                    duration("--token-ttl", tokenTtl),
                    duration("--refresh-token-ttl", refreshTokenTtl),
                    authRateLimit,
                    maxRequestBytes,
                    new JobsConfig(
                            jobCpus,
                            jobMemoryGb * 1024,
                            gpus,
                            duration("--stop-grace", stopGrace),
                            jobIsolation,
                            JobsConfig.defaults().uidBase(),
                            publicUrl,
                            duration("--metrics-interval", metricsInterval),
                            duration("--metrics-retention", metricsRetention)),
                    new CreditsConfig(
                            welcomeMicros(welcomeCredits),
                            duration("--metering-period", meteringPeriod),
                            prices == null || prices.isBlank() ? null : Path.of(prices.trim())),
                    maxDatasetBytes);
        }

        private static long welcomeMicros(java.math.BigDecimal credits) {
            try {
                return Money.micros(credits);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("--welcome-credits: at most 6 decimal places");
            }
        }

        private static Duration duration(String option, String text) {
            try {
                return Durations.parse(text);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(option + ": " + e.getMessage());
            }
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"trainyard " + (version == null ? "development build" : version)};
        }
    }
}
