package dev.trainyard.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trainyard.server.account.AccountRoutes;
import dev.trainyard.server.account.AccountService;
import dev.trainyard.server.account.InitialAdmin;
import dev.trainyard.server.auth.ApiKeyService;
import dev.trainyard.server.auth.AuthRoutes;
import dev.trainyard.server.auth.AuthService;
import dev.trainyard.server.auth.Authenticator;
import dev.trainyard.server.auth.PasswordHasher;
import dev.trainyard.server.auth.RateLimiter;
import dev.trainyard.server.auth.TokenService;
import dev.trainyard.server.config.ServerConfig;
import dev.trainyard.server.http.DocsRoutes;
import dev.trainyard.server.http.HttpApp;
import dev.trainyard.server.http.Json;
import dev.trainyard.server.http.Route;
import dev.trainyard.server.http.SystemRoutes;
import dev.trainyard.server.org.OrganizationRoutes;
import dev.trainyard.server.org.OrganizationService;
import dev.trainyard.server.project.ProjectArchive;
import dev.trainyard.server.project.ProjectRoutes;
import dev.trainyard.server.project.ProjectService;
import dev.trainyard.server.store.Database;
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
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The composition root: builds every part of the server from its configuration and starts it. */
public final class TrainyardServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TrainyardServer.class);

    private final ServerConfig config;
    private final Database database;
    private final HttpApp http;
    private final JvmGcMetrics gcMetrics;
    private final Set<String> registeredHandlers;
    private final List<Route> routes;

    private TrainyardServer(
            ServerConfig config,
            Database database,
            HttpApp http,
            JvmGcMetrics gcMetrics,
            Set<String> registeredHandlers,
            List<Route> routes) {
        this.config = config;
        this.database = database;
        this.http = http;
        this.gcMetrics = gcMetrics;
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
        createDataDir(config);
        ObjectMapper mapper = Json.newMapper();
        Database database = Database.open(config.database());
        try {
            PasswordHasher passwords = new PasswordHasher();
            InitialAdmin.ensure(database, passwords, mapper, config.dataDir(), clock)
                    .ifPresent(file -> LOG.info(
                            "first start: the administrator's password and API key are in {} (mode 0600)", file));
            TokenService tokens = new TokenService(config.dataDir().resolve("keys"), config.tokenTtl(), clock);
            Authenticator authenticator = new Authenticator(database, tokens, clock);
            RateLimiter authLimiter = new RateLimiter(config.authAttemptsPerMinute(), clock);
            AuthService auth = new AuthService(
                    database, authenticator, tokens, passwords, authLimiter, clock, config.refreshTokenTtl());

            PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            new ClassLoaderMetrics().bindTo(meters);
            new JvmMemoryMetrics().bindTo(meters);
            JvmGcMetrics gcMetrics = new JvmGcMetrics();
            gcMetrics.bindTo(meters);
            new JvmThreadMetrics().bindTo(meters);
            new ProcessorMetrics().bindTo(meters);
            new UptimeMetrics().bindTo(meters);

            List<Route> routes = new ArrayList<>();
            routes.addAll(new AuthRoutes(auth, new ApiKeyService(database, clock)).routes());
            routes.addAll(new AccountRoutes(new AccountService(database, passwords, clock)).routes());
            routes.addAll(new OrganizationRoutes(new OrganizationService(database, clock)).routes());
            routes.addAll(
                    new ProjectRoutes(new ProjectService(database, clock), new ProjectArchive(database, mapper, clock))
                            .routes());
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
            LOG.info(
                    "Trainyard listens on http://{}:{} (started in {} ms, JVM up {} ms)",
                    config.host(),
                    http.port(),
                    (System.nanoTime() - startedNanos) / 1_000_000,
                    ManagementFactory.getRuntimeMXBean().getUptime());
            return new TrainyardServer(config, database, http, gcMetrics, registered, List.copyOf(routes));
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
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

    @Override
    public void close() {
        http.stop();
        gcMetrics.close();
        database.close();
        LOG.info("Trainyard stopped");
    }

    private static void createDataDir(ServerConfig config) {
        try {
            Files.createDirectories(config.dataDir());
            try {
                // The data folder holds the database and signing keys: the server's user only.
                Files.setPosixFilePermissions(config.dataDir(), PosixFilePermissions.fromString("rwx------"));
            } catch (UnsupportedOperationException e) {
                LOG.warn("cannot restrict permissions of {} on this file system", config.dataDir());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data folder " + config.dataDir(), e);
        }
    }
}
