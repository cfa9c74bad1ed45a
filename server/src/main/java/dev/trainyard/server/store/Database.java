package dev.trainyard.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.trainyard.server.common.ErrorCode;
import dev.trainyard.server.common.TrainyardException;
import dev.trainyard.server.config.DatabaseConfig;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.Properties;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.argument.AbstractArgumentFactory;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.config.ConfigRegistry;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;

/**
 * The server's database: SQLite (one writer connection, a few readers, WAL with full sync so an
 * acknowledged write survives kill -9) or PostgreSQL (one pool). Writes go through {@link #write},
 * each in one transaction; reads through {@link #read}.
 */
public final class Database implements AutoCloseable {
    private final HikariDataSource writerPool;
    private final HikariDataSource readerPool;
    private final Jdbi writer;
    private final Jdbi reader;
    private final boolean sqlite;

    private Database(HikariDataSource writerPool, HikariDataSource readerPool, boolean sqlite) {
        this.writerPool = writerPool;
        this.readerPool = readerPool;
        this.sqlite = sqlite;
        this.writer = configure(Jdbi.create(writerPool));
        this.reader = readerPool == writerPool ? writer : configure(Jdbi.create(readerPool));
    }

    /** Opens the database and brings its schema up to date. */
    public static Database open(DatabaseConfig config) {
        if (config.isSqlite()) {
            HikariDataSource writerPool = pool(config, "trainyard-writer", 1);
            HikariDataSource readerPool = null;
            try {
                migrate(writerPool);
                readerPool = pool(config, "trainyard-reader", 4);
                return new Database(writerPool, readerPool, true);
            } catch (RuntimeException e) {
                writerPool.close();
                if (readerPool != null) {
                    readerPool.close();
                }
                throw e;
            }
        }
        HikariDataSource pool = pool(config, "trainyard-postgres", 16);
        try {
            migrate(pool);
            return new Database(pool, pool, false);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    public <T> T write(HandleCallback<T, RuntimeException> work) {
        return writer.inTransaction(work);
    }

    public void writeVoid(java.util.function.Consumer<Handle> work) {
        writer.useTransaction(work::accept);
    }

    public <T> T read(HandleCallback<T, RuntimeException> work) {
        return reader.withHandle(work);
    }

    public boolean isSqlite() {
        return sqlite;
    }

    /** Whether the database answers a trivial query. */
    public boolean isReachable() {
        try {
            return read(handle ->
                            handle.createQuery("SELECT 1").mapTo(Integer.class).one())
                    == 1;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Whether {@code e} was caused by a unique or primary-key constraint. */
    public static boolean isUniqueViolation(RuntimeException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql) {
                String state = sql.getSQLState();
                String message = String.valueOf(sql.getMessage());
                if ("23505".equals(state)
                        || message.contains("UNIQUE constraint failed")
                        || message.contains("PRIMARY KEY constraint failed")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Runs {@code work}; a unique violation becomes a 409 with {@code detail}. */
    public static <T> T unique(java.util.function.Supplier<T> work, String detail) {
        try {
            return work.get();
        } catch (UnableToExecuteStatementException e) {
            if (isUniqueViolation(e)) {
                throw TrainyardException.of(ErrorCode.ALREADY_EXISTS, detail);
            }
            throw e;
        }
    }

    @Override
    public void close() {
        if (readerPool != writerPool) {
            readerPool.close();
        }
        writerPool.close();
    }

    private static HikariDataSource pool(DatabaseConfig config, String name, int size) {
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName(name);
        hikari.setJdbcUrl(config.url());
        hikari.setMaximumPoolSize(size);
        hikari.setMinimumIdle(Math.min(size, 2));
        hikari.setConnectionTimeout(30_000);
        if (config.user() != null) {
            hikari.setUsername(config.user());
        }
        if (config.password() != null) {
            hikari.setPassword(config.password());
        }
        if (config.isSqlite()) {
            Properties properties = new Properties();
            properties.setProperty("journal_mode", "WAL");
            properties.setProperty("synchronous", "FULL");
            properties.setProperty("busy_timeout", "10000");
            properties.setProperty("foreign_keys", "true");
            hikari.setDataSourceProperties(properties);
        }
        return new HikariDataSource(hikari);
    }

    private static void migrate(HikariDataSource pool) {
        Flyway.configure()
                .dataSource(pool)
                .locations("classpath:db/migration")
                .failOnMissingLocations(true)
                .load()
                .migrate();
    }

    private static Jdbi configure(Jdbi jdbi) {
        jdbi.installPlugin(new SqlObjectPlugin());
        jdbi.registerArgument(new InstantArgumentFactory());
        jdbi.registerColumnMapper(Instant.class, (resultSet, column, context) -> {
            long millis = resultSet.getLong(column);
            return resultSet.wasNull() ? null : Instant.ofEpochMilli(millis);
        });
        return jdbi;
    }

    /** Instants are stored as epoch milliseconds, the same on SQLite and PostgreSQL. */
    private static final class InstantArgumentFactory extends AbstractArgumentFactory<Instant> {
        InstantArgumentFactory() {
            super(Types.BIGINT);
        }

        @Override
        protected Argument build(Instant value, ConfigRegistry config) {
            return (position, statement, context) -> statement.setLong(position, value.toEpochMilli());
        }
    }
}
