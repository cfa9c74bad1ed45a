package dev.trainyard.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything the server needs to start, validated once. Built from flags and {@code TRAINYARD_*}
 * environment variables by {@code Main}, or directly by tests.
 */
public record ServerConfig(
        String host,
        int port,
        Path dataDir,
        DatabaseConfig database,
        Duration tokenTtl,
        Duration refreshTokenTtl,
        int authAttemptsPerMinute,
        long maxRequestBytes,
        JobsConfig jobs,
        CreditsConfig credits,
        long maxDatasetBytes) {

    public ServerConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(jobs, "jobs");
        Objects.requireNonNull(credits, "credits");
        dataDir = Objects.requireNonNull(dataDir, "dataDir").toAbsolutePath().normalize();
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, got " + port);
        }
        requirePositive("token TTL", tokenTtl);
        requirePositive("refresh token TTL", refreshTokenTtl);
        if (authAttemptsPerMinute < 1) {
            throw new IllegalArgumentException("auth attempts per minute must be at least 1");
        }
        if (maxDatasetBytes < 1) {
            throw new IllegalArgumentException("the dataset size limit must be at least 1 byte");
        }
        if (maxRequestBytes < 1024) {
            throw new IllegalArgumentException("max request size must be at least 1024 bytes");
        }
    }

    /** Defaults for a data folder: embedded SQLite inside it, port 8080. */
    public static ServerConfig defaults(Path dataDir) {
        return new ServerConfig(
                "0.0.0.0",
                8080,
                dataDir,
                DatabaseConfig.sqliteIn(dataDir),
                Duration.ofHours(1),
                Duration.ofDays(30),
                60,
                1024 * 1024,
                JobsConfig.defaults(),
                CreditsConfig.defaults(),
                10L * 1024 * 1024 * 1024);
    }

    public ServerConfig withPort(int newPort) {
        Copy copy = new Copy(this);
        copy.port = newPort;
        return copy.build();
    }

    public ServerConfig withHost(String newHost) {
        Copy copy = new Copy(this);
        copy.host = newHost;
        return copy.build();
    }

    public ServerConfig withDatabase(DatabaseConfig newDatabase) {
        Copy copy = new Copy(this);
        copy.database = newDatabase;
        return copy.build();
    }

    public ServerConfig withTokenTtl(Duration newTokenTtl) {
        Copy copy = new Copy(this);
        copy.tokenTtl = newTokenTtl;
        return copy.build();
    }

    public ServerConfig withAuthAttemptsPerMinute(int attempts) {
        Copy copy = new Copy(this);
        copy.authAttemptsPerMinute = attempts;
        return copy.build();
    }

    public ServerConfig withJobs(JobsConfig newJobs) {
        Copy copy = new Copy(this);
        copy.jobs = newJobs;
        return copy.build();
    }

    public ServerConfig withMaxDatasetBytes(long bytes) {
        Copy copy = new Copy(this);
        copy.maxDatasetBytes = bytes;
        return copy.build();
    }

    public ServerConfig withCredits(CreditsConfig newCredits) {
        Copy copy = new Copy(this);
        copy.credits = newCredits;
        return copy.build();
    }

    /** The configuration as it may be logged: the database password masked. */
    public String describe() {
        return "host=" + host + " port=" + port + " data=" + dataDir + " database=" + database.describe()
                + " token_ttl=" + tokenTtl + " refresh_token_ttl=" + refreshTokenTtl
                + " auth_attempts_per_minute=" + authAttemptsPerMinute + " max_request_bytes=" + maxRequestBytes
                + " jobs=" + jobs + " credits=" + credits + " max_dataset_bytes=" + maxDatasetBytes;
    }

    private static void requirePositive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }

    /** A mutable copy the withers change one field of; the record's constructor validates the result. */
    private static final class Copy {
        private String host;
        private int port;
        private final Path dataDir;
        private DatabaseConfig database;
        private Duration tokenTtl;
        private final Duration refreshTokenTtl;
        private int authAttemptsPerMinute;
        private final long maxRequestBytes;
        private JobsConfig jobs;
        private CreditsConfig credits;
        private long maxDatasetBytes;

        private Copy(ServerConfig config) {
            host = config.host;
            port = config.port;
            dataDir = config.dataDir;
            database = config.database;
            tokenTtl = config.tokenTtl;
            refreshTokenTtl = config.refreshTokenTtl;
            authAttemptsPerMinute = config.authAttemptsPerMinute;
            maxRequestBytes = config.maxRequestBytes;
            jobs = config.jobs;
            credits = config.credits;
            maxDatasetBytes = config.maxDatasetBytes;
        }

        private ServerConfig build() {
            return new ServerConfig(
                    host,
                    port,
                    dataDir,
                    database,
                    tokenTtl,
                    refreshTokenTtl,
                    authAttemptsPerMinute,
                    maxRequestBytes,
                    jobs,
                    credits,
                    maxDatasetBytes);
        }
    }
}
