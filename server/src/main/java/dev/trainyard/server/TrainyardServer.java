package dev.trainyard.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trainyard.server.account.AccountRoutes;
import dev.trainyard.server.account.AccountService;
import dev.trainyard.server.account.InitialAdmin;
import dev.trainyard.server.auth.ApiKeyService;
import dev.trainyard.server.auth.AuthRoutes;
import dev.trainyard.server.auth.AuthService;
import dev.trainyard.server.auth.Authenticator;
import dev.trainyard.server.auth.JobTokens;
import dev.trainyard.server.auth.PasswordHasher;
import dev.trainyard.server.auth.RateLimiter;
import dev.trainyard.server.auth.Secrets;
import dev.trainyard.server.auth.TokenService;
import dev.trainyard.server.blob.BlobStore;
import dev.trainyard.server.config.CreditsConfig;
import dev.trainyard.server.config.JobsConfig;
import dev.trainyard.server.config.ServerConfig;
import dev.trainyard.server.credit.CreditPolicy;
import dev.trainyard.server.credit.CreditRoutes;
import dev.trainyard.server.credit.CreditService;
import dev.trainyard.server.credit.Ledger;
import dev.trainyard.server.credit.PriceList;
import dev.trainyard.server.dataset.DatasetRoutes;
import dev.trainyard.server.dataset.DatasetService;
import dev.trainyard.server.executor.Inventory;
import dev.trainyard.server.executor.Launch;
import dev.trainyard.server.executor.local.HostInventory;
import dev.trainyard.server.executor.local.LocalExecutor;
import dev.trainyard.server.http.DocsRoutes;
import dev.trainyard.server.http.HttpApp;
import dev.trainyard.server.http.Json;
import dev.trainyard.server.http.Route;
import dev.trainyard.server.http.SystemRoutes;
import dev.trainyard.server.job.ArtifactRoutes;
import dev.trainyard.server.job.JobLogStore;
import dev.trainyard.server.job.JobRoutes;
import dev.trainyard.server.job.JobRunner;
import dev.trainyard.server.job.JobService;
import dev.trainyard.server.job.Metering;
import dev.trainyard.server.job.Scheduler;
import dev.trainyard.server.job.TelemetryRoutes;
import dev.trainyard.server.model.ModelRoutes;
import dev.trainyard.server.model.ModelService;
import dev.trainyard.server.model.TrainerInstall;
import dev.trainyard.server.org.OrganizationRoutes;
import dev.trainyard.server.org.OrganizationService;
import dev.trainyard.server.project.ProjectArchive;
import dev.trainyard.server.project.ProjectRoutes;
import dev.trainyard.server.project.ProjectService;
import dev.trainyard.server.store.Database;
import dev.trainyard.server.telemetry.JobTelemetry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The composition root: builds every part of the server from its configuration and starts it. */
public final class TrainyardServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TrainyardServer.class);

    private final ServerConfig config;
    private final Database database;
    private final HttpApp http;
    private final List<AutoCloseable> parts;
    private final Set<String> registeredHandlers;
    private final List<Route> routes;

    private TrainyardServer(
            ServerConfig config,
            Database database,
            HttpApp http,
            List<AutoCloseable> parts,
            Set<String> registeredHandlers,
            List<Route> routes) {
        this.config = config;
        this.database = database;
        this.http = http;
        this.parts = parts;
        this.registeredHandlers = registeredHandlers;
        this.routes = routes;
    }

    public static TrainyardServer start(ServerConfig config) {
        // Millisecond ticks: what the database keeps is what the API shows.
        return start(config, Clock.tick(Clock.systemUTC(), java.time.Duration.ofMillis(1)));
    }

    public static TrainyardServer start(ServerConfig config, Clock clock) {
        long startedNanos = System.nanoTime();
        LOG.info("starting Trainyard: {}", config.describe());
        boolean isolateJobs = config.jobs().isolate() && LocalExecutor.canIsolate();
        createDataDir(config, isolateJobs);
        ObjectMapper mapper = Json.newMapper();
        Database database = Database.open(config.database());
        List<AutoCloseable> parts = new ArrayList<>();
        try {
            PasswordHasher passwords = new PasswordHasher();
            InitialAdmin.ensure(database, passwords, mapper, config.dataDir(), clock)
                    .ifPresent(file -> LOG.info(
                            "first start: the administrator's password and API key are in {} (mode 0600)", file));

            JobsConfig jobsConfig = config.jobs();
            Inventory inventory = HostInventory.detect(jobsConfig.cpuCores(), jobsConfig.memoryMb(), jobsConfig.gpus());
            LocalExecutor executor = new LocalExecutor(
                    jobsRoot(config.dataDir(), isolateJobs), inventory, isolateJobs, jobsConfig.uidBase());
            parts.add(executor);
            LOG.info(
                    "jobs run on {}: {} cores, {} MB memory, GPUs {}; each job as its own user: {}",
                    inventory.node(),
                    inventory.cpuCores(),
                    inventory.memoryMb(),
                    inventory.gpus(),
                    isolateJobs);
            JobTelemetry telemetry = new JobTelemetry(
                    config.dataDir().resolve("telemetry"), clock, mapper, jobsConfig.metricsRetention());
            parts.add(telemetry);
            CreditPolicy credits = new CreditPolicy(
                    new Ledger(config.credits().welcomeMicros()),
                    prices(config.credits(), mapper),
                    config.credits().meteringPeriod());
            JobService jobService = new JobService(database, mapper, clock, inventory, telemetry, credits);
            TokenService tokens = new TokenService(config.dataDir().resolve("keys"), config.tokenTtl(), clock);
            JobTokens jobTokens = new JobTokens(config.dataDir().resolve("keys"));
            Authenticator authenticator =
                    new Authenticator(database, tokens, clock, jobService::jobPrincipal, jobTokens);
            RateLimiter authLimiter = new RateLimiter(config.authAttemptsPerMinute(), clock);
            AuthService auth = new AuthService(
                    database, authenticator, tokens, passwords, authLimiter, clock, config.refreshTokenTtl());
            PrometheusMeterRegistry meters = meters(parts);
            JobLogStore jobLogs = new JobLogStore(clock, telemetry::onLogLines);
            parts.add(jobLogs);
            AtomicReference<String> serverUrl = new AtomicReference<>();
            BlobStore blobs = new BlobStore(config.dataDir().resolve("blobs"));
            DatasetService datasets = new DatasetService(database, blobs, mapper, clock, config.maxDatasetBytes());
            ModelService models = new ModelService(
                    database, jobService, datasets, blobs, TrainerInstall.install(config.dataDir()), mapper, clock);
            parts.add(models);
            // A job token dies with its job (checked on every use); its own expiry is only a backstop.
            JobRunner runner = new JobRunner(
                    jobService,
                    executor,
                    jobLogs,
                    clock,
                    jobsConfig.stopGrace(),
                    serverUrl::get,
                    jobTokens::issue,
                    telemetry,
                    jobsConfig.sampleInterval(),
                    jobId -> {
                        // Datasets, and the model version a test or export job works on.
                        List<Launch.Input> inputs = new ArrayList<>(jobInputs(datasets.usedBy(jobId)));
                        inputs.addAll(models.inputsOf(jobId));
                        return inputs;
                    });
            parts.add(runner);
            Scheduler scheduler = new Scheduler(jobService, inventory, executor.name(), runner::launch);
            parts.add(scheduler);
            Metering metering = new Metering(database, jobService, credits, clock);
            parts.add(metering);

            List<Route> routes = new ArrayList<>();
            routes.addAll(new AuthRoutes(auth, new ApiKeyService(database, clock)).routes());
            routes.addAll(new AccountRoutes(new AccountService(database, passwords, clock)).routes());
            routes.addAll(new OrganizationRoutes(new OrganizationService(database, clock)).routes());
            routes.addAll(new ProjectRoutes(
                            new ProjectService(database, clock), new ProjectArchive(database, mapper, clock, models))
                    .routes());
            routes.addAll(new JobRoutes(jobService, jobLogs, executor, mapper).routes());
            routes.addAll(new TelemetryRoutes(jobService, telemetry, mapper).routes());
            routes.addAll(new CreditRoutes(new CreditService(database, credits, clock)).routes());
            routes.addAll(new DatasetRoutes(datasets).routes());
            routes.addAll(new ArtifactRoutes(jobService, database, blobs, clock, config.maxDatasetBytes()).routes());
            routes.addAll(new ModelRoutes(models).routes());
            routes.addAll(new SystemRoutes(database::isReachable, meters).routes());
            routes.addAll(DocsRoutes.routes(List.copyOf(routes)));

            Set<String> registered = ConcurrentHashMap.newKeySet();
            HttpApp http = HttpApp.create(
                            List.copyOf(routes),
                            authenticator,
                            mapper,
                            meters,
                            config.maxRequestBytes(),
                            registered::add)
                    .start(config.host(), config.port());
            serverUrl.set(
                    jobsConfig.publicUrl().isEmpty() ? "http://127.0.0.1:" + http.port() : jobsConfig.publicUrl());
            runner.start();
            metering.start();
            scheduler.start();
            LOG.info(
                    "Trainyard listens on http://{}:{} (started in {} ms, JVM up {} ms)",
                    config.host(),
                    http.port(),
                    (System.nanoTime() - startedNanos) / 1_000_000,
                    ManagementFactory.getRuntimeMXBean().getUptime());
            return new TrainyardServer(config, database, http, parts, registered, List.copyOf(routes));
        } catch (RuntimeException e) {
            closeAll(parts);
            database.close();
            throw e;
        }
    }

    /**
     * Where job folders live: {@code DATA/jobs}, unless jobs run as their own users and cannot
     * reach it (a data folder under /root, mode 0700, say) — then a folder of this data folder's own
     * under /var/lib/trainyard, so every job can still enter its working folder.
     */
    static Path jobsRoot(Path dataDir, boolean jobsHaveOwnUsers) {
        Path inData = dataDir.resolve("jobs");
        if (!jobsHaveOwnUsers) {
            return inData;
        }
        Optional<Path> blocked = LocalExecutor.untraversableAncestor(inData);
        if (blocked.isEmpty()) {
            return inData;
        }
        String key =
                Secrets.sha256(dataDir.toAbsolutePath().normalize().toString()).substring(0, 16);
        Path outside = Path.of("/var/lib/trainyard/jobs", key);
        LOG.warn(
                "job users cannot pass through {} (no o+x), so job folders are kept in {} instead of {}",
                blocked.get(),
                outside,
                inData);
        try {
            Files.createDirectories(outside);
            Files.setPosixFilePermissions(
                    outside.getParent().getParent(), PosixFilePermissions.fromString("rwx--x--x"));
            Files.setPosixFilePermissions(outside.getParent(), PosixFilePermissions.fromString("rwx--x--x"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the job folder " + outside, e);
        }
        return outside;
    }

    private static PrometheusMeterRegistry meters(List<AutoCloseable> parts) {
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new ClassLoaderMetrics().bindTo(meters);
        new JvmMemoryMetrics().bindTo(meters);
        JvmGcMetrics gcMetrics = new JvmGcMetrics();
        gcMetrics.bindTo(meters);
        parts.add(gcMetrics);
        new JvmThreadMetrics().bindTo(meters);
        new ProcessorMetrics().bindTo(meters);
        new UptimeMetrics().bindTo(meters);
        return meters;
    }

    public int port() {
        return http.port();
    }

    public ServerConfig config() {
        return config;
    }

    /** "METHOD /path" of every handler Javalin registered. */
    public Set<String> registeredHandlers() {
        return Set.copyOf(registeredHandlers);
    }

    public List<Route> routes() {
        return routes;
    }

    /** Stops serving; running jobs keep running and are re-adopted by the next start. */
    @Override
    public void close() {
        http.stop();
        closeAll(parts);
        database.close();
        LOG.info("Trainyard stopped");
    }

    /**
     * A job's datasets as files for the executor: a plain file name from the dataset's name (the
     * version added when a job reads two of one name) and {@code TRAINYARD_DATASET_<NAME>}.
     */
    static List<Launch.Input> jobInputs(List<DatasetService.Content> datasets) {
        List<Launch.Input> inputs = new ArrayList<>();
        Set<String> names = new java.util.HashSet<>();
        for (DatasetService.Content content : datasets) {
            String file = DatasetRoutes.fileName(content.dataset());
            if (!names.add(file)) {
                file = "v" + content.dataset().version() + "-" + file;
                names.add(file);
            }
            String variable = DatasetService.environmentName(content.dataset().name());
            inputs.add(new Launch.Input(file, content.path(), variable));
        }
        return inputs;
    }

    /** The shipped price list, or the administrator's file. */
    private static PriceList prices(CreditsConfig credits, ObjectMapper mapper) {
        if (credits.pricesFile() == null) {
            return PriceList.defaults();
        }
        try {
            return PriceList.read(credits.pricesFile(), mapper);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(
                    "cannot read the price list " + credits.pricesFile() + ": " + e.getMessage(), e);
        }
    }

    private static void closeAll(List<AutoCloseable> parts) {
        for (AutoCloseable part : parts.reversed()) {
            try {
                part.close();
            } catch (Exception e) {
                LOG.warn("closing {} failed", part, e);
            }
        }
    }

    /**
     * The data folder holds the database and signing keys: only the server's user may read it. When
     * jobs run as their own users they must still pass through it to their folders, so it is then
     * traversable (0711) but not listable, and the database file itself is 0600.
     */
    private static void createDataDir(ServerConfig config, boolean jobsHaveOwnUsers) {
        try {
            Files.createDirectories(config.dataDir());
            try {
                Files.setPosixFilePermissions(
                        config.dataDir(),
                        PosixFilePermissions.fromString(jobsHaveOwnUsers ? "rwx--x--x" : "rwx------"));
                if (config.database().isSqlite()) {
                    Path databaseFile = config.dataDir().resolve("trainyard.db");
                    if (!Files.exists(databaseFile)) {
                        Files.createFile(databaseFile);
                    }
                    // SQLite gives its -wal and -shm files the permissions of the database file.
                    for (String suffix : List.of("", "-wal", "-shm")) {
                        Path file = config.dataDir().resolve("trainyard.db" + suffix);
                        if (Files.exists(file)) {
                            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
                        }
                    }
                }
            } catch (UnsupportedOperationException e) {
                LOG.warn("cannot restrict permissions of {} on this file system", config.dataDir());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data folder " + config.dataDir(), e);
        }
    }
}
