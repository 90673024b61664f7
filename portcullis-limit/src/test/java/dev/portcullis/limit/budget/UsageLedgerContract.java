package dev.portcullis.limit.budget;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.limit.budget.UsageLedger.Kind;
import dev.portcullis.limit.budget.UsageLedger.Subject;
import dev.portcullis.limit.budget.UsageLedger.UsageRecord;
import dev.portcullis.limit.budget.UsageLedger.UsageTotals;
import dev.portcullis.limit.config.Algorithm;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** What every {@link UsageLedger} backend must do. */
public abstract class UsageLedgerContract {
    static final ZoneId TOKYO = ZoneId.of("Asia/Tokyo");
    static final Subject TENANT = new Subject(Kind.TENANT, "acme");
    static final Subject KEY = new Subject(Kind.KEY, "key-1");

    protected abstract UsageLedger ledger();

    UsageTotals totals(Subject s, Algorithm a, String instant) {
        return totals(s, a, instant, TOKYO);
    }

    UsageTotals totals(Subject s, Algorithm a, String instant, ZoneId zone) {
        return ledger().totals(s, CalendarPeriod.of(a, Instant.parse(instant), zone)).toCompletableFuture().join();
    }

    void record(String id, String at, long in, long out, long spend) {
        ledger().record(new UsageRecord(id, Instant.parse(at), TOKYO, List.of(TENANT, KEY), in, out, spend))
                .toCompletableFuture().join();
    }

    @Test
    void sumsUsageByTenantDayAndMonth() {
        record("r1", "2031-03-14T10:00:00Z", 100, 50, 700);
        record("r2", "2031-03-14T12:00:00Z", 10, 5, 70);
        assertThat(totals(TENANT, Algorithm.DAILY, "2031-03-14T11:00:00Z")).isEqualTo(new UsageTotals(2, 165, 770));
        assertThat(totals(KEY, Algorithm.MONTHLY, "2031-03-01T00:00:00Z")).isEqualTo(new UsageTotals(2, 165, 770));
    }

    @Test
    void aNewDayStartsAtMidnightInTheTenantsZone() {
        record("r3", "2031-03-14T14:59:59Z", 1, 0, 0);
        record("r4", "2031-03-14T15:00:00Z", 2, 0, 0);
        assertThat(totals(TENANT, Algorithm.DAILY, "2031-03-14T00:00:00Z").tokens()).isEqualTo(1);
        assertThat(totals(TENANT, Algorithm.DAILY, "2031-03-15T00:00:00Z").tokens()).isEqualTo(2);
        assertThat(totals(TENANT, Algorithm.MONTHLY, "2031-03-15T00:00:00Z").tokens()).isEqualTo(3);
    }

    @Test
    void recordingTheSameRequestTwiceCountsItOnce() {
        record("r5", "2031-04-01T00:00:00Z", 5, 5, 5);
        record("r5", "2031-04-01T00:00:00Z", 5, 5, 5);
        assertThat(totals(TENANT, Algorithm.DAILY, "2031-04-01T00:00:00Z")).isEqualTo(new UsageTotals(1, 10, 5));
    }

    @Test
    void theSameDayInAnotherTimeZoneIsAnotherPeriod() {
        record("r6", "2031-05-10T03:00:00Z", 7, 0, 0);
        assertThat(totals(TENANT, Algorithm.DAILY, "2031-05-10T03:00:00Z").tokens()).isEqualTo(7);
        assertThat(totals(TENANT, Algorithm.DAILY, "2031-05-10T03:00:00Z", ZoneId.of("UTC")))
                .isEqualTo(UsageTotals.ZERO);
        assertThat(totals(new Subject(Kind.PRINCIPAL, "acme/app"), Algorithm.DAILY, "2031-05-10T03:00:00Z"))
                .isEqualTo(UsageTotals.ZERO);
    }

    @Test
    void concurrentRecordsAreAllCounted() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 250; i++) {
                        record("c" + thread + "-" + i, "2031-06-02T00:00:00Z", 3, 1, 2);
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertThat(totals(KEY, Algorithm.MONTHLY, "2031-06-30T00:00:00Z")).isEqualTo(new UsageTotals(1000, 4000, 2000));
    }
}
