package dev.trainyard.server.testing;

import dev.trainyard.server.config.DatabaseConfig;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A throwaway PostgreSQL database for tests: {@link #create()} makes {@code
 * trainyard_test_<random>}, {@link #emptyAllTables()} clears it between tests, {@link #close()}
 * drops it with {@code WITH (FORCE)}.
 *
 * <p>The server is reached through its maintenance database {@value #DEFAULT_URL} as user
 * {@code postgres} without a password. Environment variables change that: {@code
 * TRAINYARD_TEST_POSTGRES_URL} (another {@code jdbc:postgresql://host:port/database} URL; its
 * query parameters are kept for the test databases), {@code TRAINYARD_TEST_POSTGRES_USER} and
 * {@code TRAINYARD_TEST_POSTGRES_PASSWORD}.
 *
 * <p>When the server cannot be reached, {@link #assumeReachable(String)} skips the calling tests
 * with a message (on stderr, and as the reason of each skip). With {@code
 * -Dtrainyard.requirePostgres=true} or {@code TRAINYARD_REQUIRE_POSTGRES=1} (as in CI) it fails
 * them instead.
 */
public final class PostgresTestDatabase implements AutoCloseable {
    public static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/postgres";

    private static final Pattern URL = Pattern.compile("(jdbc:postgresql://([^/?]*)/)([^?]*)(\\?.*)?");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int CONNECT_TIMEOUT_SECONDS = 5;

    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

    private static volatile String unreachableBecause;
    private static volatile boolean checked;

    private final String name;
    private final DatabaseConfig config;

    private PostgresTestDatabase(String name, DatabaseConfig config) {
        this.name = name;
        this.config = config;
    }

    /** Whether the PostgreSQL server answers (asked once, then remembered). */
    public static boolean isReachable() {
        return unreachableBecause() == null;
    }

    /**
     * Skips the calling test (or fails it, when PostgreSQL is required) unless the server answers.
     * {@code what} names what is skipped, e.g. "PostgreSQL store suite". Call it per test, not in
     * {@code @BeforeAll}, so that the skips show in the test counts.
     */
    public static void assumeReachable(String what) {
        String problem = unreachableBecause();
        if (problem == null) {
            return;
        }
        String where = "PostgreSQL not reachable at " + hostAndPort() + " — " + what;
        if (required()) {
            Assertions.fail(where + " cannot run, and PostgreSQL is required (trainyard.requirePostgres / "
                    + "TRAINYARD_REQUIRE_POSTGRES): " + problem);
        }
        String message = where + " skipped (" + problem + ")";
        if (WARNED.add(what)) {
            System.err.println(message);
        }
        Assumptions.assumeTrue(false, message);
    }

    /** Creates an empty database with a random name. */
    public static PostgresTestDatabase create() {
        String name = "trainyard_test_" + HexFormat.of().formatHex(randomBytes());
        execute("CREATE DATABASE " + name);
        Matcher url = parsedUrl();
        String query = url.group(4) == null ? "" : url.group(4);
        return new PostgresTestDatabase(name, new DatabaseConfig(url.group(1) + name + query, user(), password()));
    }

    public String name() {
        return name;
    }

    /** How the server under test connects to this database. */
    public DatabaseConfig config() {
        return config;
    }

    /**
     * Empties every table of the {@code public} schema except Flyway's history, so that the next
     * test finds a migrated but empty database without paying for a new one.
     */
    public void emptyAllTables() {
        try (Connection connection = connect(config.url());
                Statement statement = connection.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    + "AND tablename <> 'flyway_schema_history' ORDER BY tablename")) {
                while (rows.next()) {
                    tables.add("\"" + rows.getString(1).replace("\"", "\"\"") + "\"");
                }
            }
            if (!tables.isEmpty()) {
                statement.execute("TRUNCATE " + String.join(", ", tables) + " CASCADE");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot empty the tables of " + name, e);
        }
    }

    /** Drops the database, ending any connection still open to it. */
    @Override
    public void close() {
        execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }

    private static byte[] randomBytes() {
        byte[] random = new byte[6];
        RANDOM.nextBytes(random);
        return random;
    }

    private static synchronized String unreachableBecause() {
        if (!checked) {
            try (Connection connection = connect(adminUrl())) {
                connection.isValid(CONNECT_TIMEOUT_SECONDS);
                unreachableBecause = null;
            } catch (SQLException | RuntimeException e) {
                unreachableBecause = String.valueOf(e.getMessage());
            }
            checked = true;
        }
        return unreachableBecause;
    }

    private static void execute(String sql) {
        try (Connection connection = connect(adminUrl());
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL refused: " + sql, e);
        }
    }

    private static Connection connect(String url) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", user());
        if (password() != null) {
            properties.setProperty("password", password());
        }
        properties.setProperty("connectTimeout", String.valueOf(CONNECT_TIMEOUT_SECONDS));
        properties.setProperty("loginTimeout", String.valueOf(CONNECT_TIMEOUT_SECONDS));
        return DriverManager.getConnection(url, properties);
    }

    private static String adminUrl() {
        String override = System.getenv("TRAINYARD_TEST_POSTGRES_URL");
        return override == null || override.isBlank() ? DEFAULT_URL : override.trim();
    }

    private static Matcher parsedUrl() {
        Matcher matcher = URL.matcher(adminUrl());
        if (!matcher.matches()) {
            throw new IllegalStateException(
                    "TRAINYARD_TEST_POSTGRES_URL must look like jdbc:postgresql://host:port/database, got "
                            + adminUrl().replaceAll("(?i)(password=)[^&]*", "$1****"));
        }
        return matcher;
    }

    private static String hostAndPort() {
        Matcher matcher = URL.matcher(adminUrl());
        return matcher.matches() ? matcher.group(2) : "?";
    }

    private static String user() {
        String user = System.getenv("TRAINYARD_TEST_POSTGRES_USER");
        return user == null || user.isBlank() ? "postgres" : user;
    }

    private static String password() {
        String password = System.getenv("TRAINYARD_TEST_POSTGRES_PASSWORD");
        return password == null || password.isEmpty() ? null : password;
    }

    private static boolean required() {
        String env = System.getenv("TRAINYARD_REQUIRE_POSTGRES");
        return Boolean.getBoolean("trainyard.requirePostgres") || "1".equals(env) || "true".equalsIgnoreCase(env);
    }
}
