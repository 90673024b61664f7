package dev.portcullis.identity.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.flywaydb.core.Flyway;

/** Opens an {@link IdentityStore}, creating or migrating its schema with Flyway first. */
public final class IdentityStores {

  private IdentityStores() {}

  /**
   * The embedded default: a SQLite database at {@code file}, created with its parent directories on first
   * start. Write-ahead logging and a busy timeout let the gateway's readers and the admin writer share it;
   * {@code synchronous=NORMAL} keeps writes fast (safe with WAL; a power cut may drop the latest commits). The file
   * and its {@code -wal} and {@code -shm} files are readable and writable by their owner only (0600), and directories
   * created for it by their owner only (0700); an existing file that others could read is restricted, with a warning.
   */
  public static IdentityStore sqlite(Path file) {
    Objects.requireNonNull(file, "file");
    Path absolute = file.toAbsolutePath();
    try {
      OwnerOnlyFiles.prepare(absolute);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the identity database " + absolute, e);
    }
    HikariConfig config = new HikariConfig();
    config.setPoolName("portcullis-identity-sqlite");
    config.setJdbcUrl("jdbc:sqlite:" + absolute);
    config.addDataSourceProperty("foreign_keys", "true");
    config.addDataSourceProperty("journal_mode", "WAL");
    config.addDataSourceProperty("busy_timeout", "5000");
    // With WAL, NORMAL never corrupts the file; a power cut may lose only the last commits.
    config.addDataSourceProperty("synchronous", "NORMAL");
    config.setMaximumPoolSize(4);
    IdentityStore store = open(config, "sqlite", "classpath:db/migration/sqlite");
    OwnerOnlyFiles.restrictCompanions(absolute);
    return store;
  }

  /** Production: PostgreSQL at a JDBC URL ({@code jdbc:postgresql://host:port/db}). */
  public static IdentityStore postgres(String jdbcUrl, String user, String password, int maxPoolSize) {
    if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException("a PostgreSQL JDBC URL starts with jdbc:postgresql:");
    }
    if (maxPoolSize < 1 || maxPoolSize > 200) {
      throw new IllegalArgumentException("maxPoolSize must be between 1 and 200");
    }
    HikariConfig config = new HikariConfig();
    config.setPoolName("portcullis-identity-postgres");
    config.setJdbcUrl(jdbcUrl);
    config.setUsername(user);
    config.setPassword(password);
    config.setMaximumPoolSize(maxPoolSize);
    return open(config, "postgresql", "classpath:db/migration/postgresql");
  }

  private static IdentityStore open(HikariConfig config, String backend, String migrations) {
    config.setConnectionTimeout(5_000);
    HikariDataSource dataSource = new HikariDataSource(config);
    try {
      Flyway.configure()
          .dataSource(dataSource)
          .locations(migrations)
          .table("portcullis_identity_schema_history")
          .load()
          .migrate();
    } catch (RuntimeException e) {
      dataSource.close();
      throw new StoreException(backend + ": schema migration failed", e);
    }
    return new JdbcIdentityStore(dataSource, backend);
  }
}
