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
        return new ServerConfig(
                host,
                newPort,
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

    public ServerConfig withHost(String newHost) {
        return new ServerConfig(
                newHost,
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

    public ServerConfig withDatabase(DatabaseConfig newDatabase) {
        return new ServerConfig(
                host,
                port,
                dataDir,
                newDatabase,
                tokenTtl,
                refreshTokenTtl,
                authAttemptsPerMinute,
                maxRequestBytes,
                jobs,
                credits,
                maxDatasetBytes);
    }

    public ServerConfig withTokenTtl(Duration newTokenTtl) {
        return new ServerConfig(
                host,
                port,
                dataDir,
                database,
                newTokenTtl,
                refreshTokenTtl,
                authAttemptsPerMinute,
                maxRequestBytes,
                jobs,
                credits,
                maxDatasetBytes);
    }

    public ServerConfig withAuthAttemptsPerMinute(int attempts) {
        return new ServerConfig(
                host,
                port,
                dataDir,
                database,
                tokenTtl,
                refreshTokenTtl,
                attempts,
                maxRequestBytes,
                jobs,
                credits,
                maxDatasetBytes);
    }

    public ServerConfig withJobs(JobsConfig newJobs) {
        return new ServerConfig(
                host,
                port,
                dataDir,
                database,
                tokenTtl,
                refreshTokenTtl,
                authAttemptsPerMinute,
                maxRequestBytes,
                newJobs,
                credits,
                maxDatasetBytes);
    }

    public ServerConfig withMaxDatasetBytes(long bytes) {
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
                bytes);
    }

    public ServerConfig withCredits(CreditsConfig newCredits) {
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
                newCredits,
                maxDatasetBytes);
    }

    /** The configuration as it may be logged: the database password masked. */
    public String describe() {
        return "host=" + host + " port=" + port + " data=" + dataDir + " database=" + database.describe()
                + " token_ttl=" + tokenTtl + " refresh_token_ttl=" + refreshTokenTtl
                + " auth_attempts_per_minute=" + authAttemptsPerMinute + " max_request_bytes=" + maxRequestBytes
                + " jobs=" + jobs;
    }

    private static void requirePositive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }
}
