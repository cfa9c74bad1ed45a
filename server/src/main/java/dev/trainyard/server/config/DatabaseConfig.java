package dev.trainyard.server.config;

import java.nio.file.Path;
import java.util.Objects;

/** Where the server keeps its state: a SQLite file (default) or a PostgreSQL database. */
public record DatabaseConfig(String url, String user, String password) {
    public DatabaseConfig {
        Objects.requireNonNull(url, "url");
        if (!url.startsWith("jdbc:sqlite:") && !url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException(
                    "database URL must start with jdbc:sqlite: or jdbc:postgresql:, got " + redact(url));
        }
    }

    public static DatabaseConfig sqliteIn(Path dataDir) {
        return new DatabaseConfig("jdbc:sqlite:" + dataDir.resolve("trainyard.db"), null, null);
    }

    public boolean isSqlite() {
        return url.startsWith("jdbc:sqlite:");
    }

    public String describe() {
        return redact(url) + (user == null ? "" : " user=" + user) + (password == null ? "" : " password=****");
    }

    private static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&]*", "$1****");
    }
}
