package dev.trainyard.server.store;

import dev.trainyard.server.config.DatabaseConfig;
import dev.trainyard.server.testing.PostgresTestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The store contract on PostgreSQL. The class creates one {@code trainyard_test_<random>}
 * database, migrated by the first test; every test starts with its tables emptied, and the
 * database is dropped at the end. (A database per test costs about a second each in CREATE,
 * migrate and DROP.)
 *
 * <p>The server is {@value PostgresTestDatabase#DEFAULT_URL} (user {@code postgres}, no password)
 * unless the environment variable {@code TRAINYARD_TEST_POSTGRES_URL} names another ({@code
 * TRAINYARD_TEST_POSTGRES_USER} and {@code TRAINYARD_TEST_POSTGRES_PASSWORD} set the account).
 * Without a reachable server the suite is skipped, with a message on stderr; {@code
 * -Dtrainyard.requirePostgres=true} or {@code TRAINYARD_REQUIRE_POSTGRES=1} makes that a failure.
 */
final class PostgresStoreContractTest extends StoreContractTest {
    private static PostgresTestDatabase postgres;

    @BeforeAll
    static void createDatabase() {
        if (PostgresTestDatabase.isReachable()) {
            postgres = PostgresTestDatabase.create();
        }
    }

    @AfterAll
    static void dropDatabase() {
        if (postgres != null) {
            postgres.close();
            postgres = null;
        }
    }

    @Override
    protected DatabaseConfig createEmptyDatabase() {
        PostgresTestDatabase.assumeReachable("PostgreSQL store suite");
        postgres.emptyAllTables();
        return postgres.config();
    }
}
