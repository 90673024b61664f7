package dev.portcullis.identity.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Runs the suite against a real PostgreSQL server: the one at {@code PG_URL} (with {@code PG_USER},
 * {@code PG_PASSWORD}) when set, else an embedded server started on a free port. Each test gets its own schema.
 */
class PostgresIdentityStoreTest extends AbstractIdentityStoreTest {

  private static final AtomicInteger SCHEMAS = new AtomicInteger();
  private static EmbeddedPostgres embedded;
  private static String url;
  private static String user;
  private static String password;

  @BeforeAll
  static void startServer() throws Exception {
    String external = System.getenv("PG_URL");
    if (external != null && !external.isBlank()) {
      url = external;
      user = System.getenv("PG_USER");
      password = System.getenv("PG_PASSWORD");
    } else {
      embedded = EmbeddedPostgres.builder().start();
      url = embedded.getJdbcUrl("postgres", "postgres");
      user = "postgres";
      password = null;
    }
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (embedded != null) {
      embedded.close();
    }
  }

  @Override
  IdentityStore newStore() throws Exception {
    String schema = "pc_test_" + ProcessHandle.current().pid() + "_" + SCHEMAS.incrementAndGet();
    try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    }
    String separator = url.contains("?") ? "&" : "?";
    return IdentityStores.postgres(url + separator + "currentSchema=" + schema, user, password, 2);
  }
}
