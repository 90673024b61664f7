package dev.portcullis.limit.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.limit.budget.UsageLedger.UsageTotals;
import dev.portcullis.limit.config.Algorithm;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.InstantSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The database backends: the shared contract, plus persistence and failed writes against a real server. */
abstract class JdbcUsageLedgerContract extends UsageLedgerContract {
    JdbcUsageLedger ledger;

    /** Makes an empty database (or schema) for one test. */
    abstract void prepareDatabase() throws Exception;

    /** Opens the ledger on the database {@link #prepareDatabase} made. */
    abstract JdbcUsageLedger open(InstantSource clock);

    abstract Connection connect() throws SQLException;

    @Override
    protected UsageLedger ledger() {
        return ledger;
    }

    @BeforeEach
    void openLedger() throws Exception {
        prepareDatabase();
        // another feature's table already there, as when the identity store shares the database
        execute("CREATE TABLE tenants (id VARCHAR(64) PRIMARY KEY)");
        ledger = open(InstantSource.system());
    }

    @AfterEach
    void closeLedger() {
        ledger.close();
    }

    @Test
    void totalsSurviveAReopen() {
        record("p1", "2031-03-14T10:00:00Z", 100, 50, 700);
        ledger.close();
        ledger = open(InstantSource.system());
        record("p2", "2031-03-14T11:00:00Z", 1, 1, 1);
        ledger.flushNow().join();
        ledger.close();
        ledger = open(InstantSource.system());
        assertThat(totals(TENANT, Algorithm.DAILY, "2031-03-14T10:00:00Z")).isEqualTo(new UsageTotals(2, 152, 701));
    }

    @Test
    void aFailedWriteKeepsItsUsageAndWritesItLater() throws Exception {
        record("f1", "2031-07-01T00:00:00Z", 10, 0, 0);
        ledger.flushNow().join();
        execute("ALTER TABLE usage_totals RENAME TO usage_totals_away");
        record("f2", "2031-07-01T00:00:00Z", 20, 0, 0);
        ledger.flushNow().join();
        assertThat(ledger.flushFailures()).isPositive();
        assertThat(ledger.pendingRows()).isEqualTo(4);
        assertThatThrownBy(() -> totals(TENANT, Algorithm.DAILY, "2031-07-01T00:00:00Z"))
                .hasMessageContaining("usage ledger");
        execute("ALTER TABLE usage_totals_away RENAME TO usage_totals");
        record("f3", "2031-07-01T00:00:00Z", 30, 0, 0);
        ledger.flushNow().join();
        assertThat(ledger.pendingRows()).isZero();
        ledger.close();
        ledger = open(InstantSource.system());
        assertThat(totals(KEY, Algorithm.MONTHLY, "2031-07-01T00:00:00Z")).isEqualTo(new UsageTotals(3, 60, 0));
    }

    @Test
    void readsDuringWritesNeitherLoseNorDoubleCountUsage() throws Exception {
        String at = "2031-08-01T00:00:00Z";
        // started: records begun (a reader may already see one); recorded: records finished (a reader must see them)
        java.util.concurrent.atomic.AtomicLong started = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong recorded = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        Thread writer = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < 400; i++) {
                started.incrementAndGet();
                record("c" + i, at, 1, 0, 0);
                recorded.incrementAndGet();
                if (i % 40 == 0) {
                    ledger.flushNow().join();
                }
            }
            done.set(true);
        });
        java.util.List<java.util.concurrent.CompletableFuture<Void>> readers = new java.util.ArrayList<>();
        for (int r = 0; r < 4; r++) {
            readers.add(java.util.concurrent.CompletableFuture.runAsync(() -> {
                while (!done.get()) {
                    long before = recorded.get();
                    long seen = totals(TENANT, Algorithm.DAILY, at).tokens();
                    long after = started.get();
                    assertThat(seen).isBetween(before, after);
                }
            }));
        }
        writer.join();
        java.util.concurrent.CompletableFuture.allOf(readers.toArray(java.util.concurrent.CompletableFuture[]::new))
                .get(60, java.util.concurrent.TimeUnit.SECONDS);
        ledger.flushNow().join();
        assertThat(totals(TENANT, Algorithm.DAILY, at).tokens()).isEqualTo(400);
    }

    void execute(String sql) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
