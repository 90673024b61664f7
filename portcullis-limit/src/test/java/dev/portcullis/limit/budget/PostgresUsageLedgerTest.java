package dev.portcullis.limit.budget;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The ledger against a real PostgreSQL server, embedded on a free port; each test gets its own schema. */
class PostgresUsageLedgerTest extends JdbcUsageLedgerContract {
    private static final AtomicInteger SCHEMAS = new AtomicInteger();
    private static EmbeddedPostgres server;
    private static String baseUrl;
    private String url;

    @BeforeAll
    static void startServer() throws Exception {
        server = EmbeddedPostgres.builder().start();
        baseUrl = server.getJdbcUrl("postgres", "postgres");
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    @Override
    void prepareDatabase() throws SQLException {
        String schema = "ledger_test_" + SCHEMAS.incrementAndGet();
        try (Connection c = DriverManager.getConnection(baseUrl, "postgres", null); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        url = baseUrl + (baseUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    @Override
    JdbcUsageLedger open(InstantSource clock) {
        return UsageLedgers.postgres(url, "postgres", null, 2, clock);
    }

    @Override
    Connection connect() throws SQLException {
        return DriverManager.getConnection(url, "postgres", null);
    }
}
