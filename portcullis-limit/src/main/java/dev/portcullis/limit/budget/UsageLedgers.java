package dev.portcullis.limit.budget;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Objects;
import org.flywaydb.core.Flyway;

/**
 * Opens a {@link UsageLedger}. The database backends create or migrate their table with Flyway, keeping their
 * own schema history ({@code portcullis_ledger_schema_history}), so they can share a database (file or schema) with
 * the identity store.
 */
public final class UsageLedgers {
    /** How often recorded usage is written. */
    public static final long FLUSH_INTERVAL_MILLIS = 1_000;
    private static final int MAX_PENDING_ROWS = 100_000;
    private static final int MAX_REQUEST_IDS = 10_000;

    private UsageLedgers() {}

    /** In this process only: lost at exit. */
    public static UsageLedger memory() {
        return new MemoryUsageLedger(MAX_PENDING_ROWS, MAX_REQUEST_IDS);
    }

    /**
     * A SQLite database at {@code file}, created with its parent directories on first start (WAL and a busy
     * timeout, as the identity store opens it, so both may use one file).
     */
    public static JdbcUsageLedger sqlite(Path file, InstantSource clock) {
        Objects.requireNonNull(file, "file");
        Path absolute = file.toAbsolutePath();
        try {
            Path parent = absolute.getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the directory for the usage ledger " + absolute, e);
        }
        HikariConfig config = new HikariConfig();
        config.setPoolName("portcullis-ledger-sqlite");
        config.setJdbcUrl("jdbc:sqlite:" + absolute);
        config.addDataSourceProperty("journal_mode", "WAL");
        config.addDataSourceProperty("busy_timeout", "5000");
        config.addDataSourceProperty("synchronous", "NORMAL");
        config.setMaximumPoolSize(2);
        return open(config, "sqlite", clock);
    }

    /** PostgreSQL at a JDBC URL ({@code jdbc:postgresql://host:port/db}). */
    public static JdbcUsageLedger postgres(String jdbcUrl, String user, String password, int maxPoolSize,
            InstantSource clock) {
        if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("a PostgreSQL JDBC URL starts with jdbc:postgresql:");
        }
        if (maxPoolSize < 1 || maxPoolSize > 200) {
            throw new IllegalArgumentException("maxPoolSize must be between 1 and 200");
        }
        HikariConfig config = new HikariConfig();
        config.setPoolName("portcullis-ledger-postgres");
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(maxPoolSize);
        return open(config, "postgresql", clock);
    }

    private static JdbcUsageLedger open(HikariConfig config, String backend, InstantSource clock) {
        Objects.requireNonNull(clock, "clock");
        config.setConnectionTimeout(5_000);
        HikariDataSource dataSource = new HikariDataSource(config);
        try {
            Flyway.configure()
                    .dataSource(dataSource)
                    .locations("classpath:db/ledger/" + backend)
                    .table("portcullis_ledger_schema_history")
                    // the database may already hold the identity store's tables: start our history at 0
                    .baselineOnMigrate(true)
                    .baselineVersion("0")
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            dataSource.close();
            throw new IllegalStateException(backend + ": usage ledger schema migration failed", e);
        }
        return new JdbcUsageLedger(dataSource, backend, clock, FLUSH_INTERVAL_MILLIS, MAX_PENDING_ROWS,
                MAX_REQUEST_IDS);
    }
}
