package dev.trainyard.server.store;

import dev.trainyard.server.config.DatabaseConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on SQLite: a fresh database file in a temporary folder per test. */
final class SqliteStoreContractTest extends StoreContractTest {
    @TempDir
    Path dataDir;

    @Override
    protected DatabaseConfig createEmptyDatabase() {
        return DatabaseConfig.sqliteIn(dataDir);
    }
}
