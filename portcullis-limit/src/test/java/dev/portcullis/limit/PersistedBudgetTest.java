package dev.portcullis.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.limit.LimitDecision.Admitted;
import dev.portcullis.limit.LimitDecision.Reason;
import dev.portcullis.limit.LimitDecision.Refused;
import dev.portcullis.limit.budget.CalendarPeriod;
import dev.portcullis.limit.budget.UsageLedger;
import dev.portcullis.limit.budget.UsageLedger.Kind;
import dev.portcullis.limit.budget.UsageLedger.Subject;
import dev.portcullis.limit.budget.UsageLedger.UsageTotals;
import dev.portcullis.limit.budget.UsageLedgers;
import dev.portcullis.limit.config.Algorithm;
import dev.portcullis.limit.config.LimitsConfig;
import dev.portcullis.limit.config.Yaml;
import dev.portcullis.limit.store.LimitStores;
import dev.portcullis.limit.store.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Budgets recorded in a real SQLite ledger: they survive a restart and reset at the tenant's midnight. */
class PersistedBudgetTest {
    static final String CONFIG = """
            default-plan: team
            failure-mode: %s
            tenant-time-zones: {acme: Asia/Tokyo}
            prices:
              models:
                gpt-4o: { input: 2.00, output: 10.00 }
            plans:
              team:
                max-output-tokens: 1000
                default-output-tokens: 100
                limits:
                  - { name: tenant-month, per: [tenant], unit: tokens, algorithm: monthly, limit: 1000 }
                  - { name: tenant-day, per: [tenant], unit: tokens, algorithm: daily, limit: 700 }
                  - { name: key-spend, per: [key], unit: spend, algorithm: monthly, limit: 10000 }
                  - { name: model-day, per: [tenant, model], unit: tokens, algorithm: daily, limit: 650 }
            """;

    @TempDir Path dir;
    // 23:00 in Tokyo on the 14th
    final MutableClock clock = new MutableClock(Instant.parse("2031-03-14T14:00:00Z"));
    final AtomicInteger ids = new AtomicInteger();
    UsageLedger ledger;
    LimitEngine engine;

    void startGateway(String failureMode) {
        LimitsConfig config = Yaml.config(CONFIG.formatted(failureMode));
        ledger = UsageLedgers.sqlite(dir.resolve("portcullis.db"), clock);
        engine = new LimitEngine(LimitStores.memory(clock, 1000, 1000), clock, config, ledger);
    }

    void stopGateway() {
        ledger.close();
    }

    @AfterEach
    void stop() {
        stopGateway();
    }

    static LimitRequest request(String key, long prompt, long output) {
        return LimitRequest.builder().keyId(key).principal("acme/app").tenant("acme").model("gpt-4o")
                .promptTokens(prompt).maxOutputTokens(output).build();
    }

    /** Admits, settles and records one request; returns the decision. */
    LimitDecision serve(String key, long prompt, long output) {
        LimitRequest r = request(key, prompt, output);
        LimitDecision d = engine.acquire(r).toCompletableFuture().join();
        if (d instanceof Admitted a) {
            Usage used = new Usage(prompt, output);
            engine.settle(a.lease(), used).toCompletableFuture().join();
            engine.record("req-" + ids.incrementAndGet(), r, used).toCompletableFuture().join();
        }
        return d;
    }

    UsageTotals totals(Kind kind, String id, Algorithm a) {
        CalendarPeriod p = CalendarPeriod.of(a, clock.instant(), ZoneId.of("Asia/Tokyo"));
        return ledger.totals(new Subject(kind, id), p).toCompletableFuture().join();
    }

    @Test
    void aRestartedGatewayKeepsEnforcingWhatWasUsedBefore() {
        startGateway("fail-open-local");
        assertThat(serve("k1", 200, 100)).isInstanceOf(Admitted.class);
        assertThat(serve("k1", 200, 100)).isInstanceOf(Admitted.class);
        stopGateway();

        startGateway("fail-open-local");
        // 600 of the day's 700 are used: a fresh store that started from zero would admit this
        Refused refused = (Refused) serve("k2", 100, 100);
        assertThat(refused.limitName()).isEqualTo("tenant-day");
        assertThat(refused.reason()).isEqualTo(Reason.OVER_LIMIT);
        assertThat(serve("k2", 50, 50)).isInstanceOf(Admitted.class);
        assertThat(totals(Kind.TENANT, "acme", Algorithm.DAILY)).isEqualTo(new UsageTotals(3, 700, 2 * 1400 + 600));
        assertThat(totals(Kind.KEY, "k1", Algorithm.MONTHLY).spendMicros()).isEqualTo(2 * 1400);
        assertThat(totals(Kind.PRINCIPAL, "acme/app", Algorithm.MONTHLY).requests()).isEqualTo(3);
    }

    @Test
    void theDayEndsAtMidnightInTheTenantsZoneAndTheMonthGoesOn() {
        startGateway("fail-open-local");
        assertThat(serve("k1", 300, 300)).isInstanceOf(Admitted.class);
        Refused refused = (Refused) serve("k1", 100, 50);
        assertThat(refused.limitName()).isEqualTo("tenant-day");
        // 23:00 in Tokyo: the day ends in one hour, not at midnight UTC
        assertThat(refused.retryAfter()).isEqualTo(Duration.ofHours(1));

        clock.advance(Duration.ofMinutes(59));
        assertThat(serve("k1", 100, 50)).isInstanceOf(Refused.class);
        clock.advance(Duration.ofMinutes(1));
        stopGateway();
        startGateway("fail-open-local");
        // a new day for the daily budgets; the monthly budget still counts the 600 from yesterday
        assertThat(serve("k1", 200, 100)).isInstanceOf(Admitted.class);
        Refused month = (Refused) serve("k1", 100, 50);
        assertThat(month.limitName()).isEqualTo("tenant-month");
        assertThat(totals(Kind.TENANT, "acme", Algorithm.DAILY).tokens()).isEqualTo(300);
        assertThat(totals(Kind.TENANT, "acme", Algorithm.MONTHLY).tokens()).isEqualTo(900);
    }

    @Test
    void budgetsPerTenantAndModelStartFromZeroInAFreshStore() {
        startGateway("fail-open-local");
        assertThat(serve("k1", 300, 300)).isInstanceOf(Admitted.class);
        assertThat(((Refused) serve("k1", 30, 30)).limitName()).isEqualTo("model-day");
        stopGateway();
        startGateway("fail-open-local");
        // model-day is not a ledger subject: it forgot; tenant-day (600 of 700 used) did not
        assertThat(serve("k1", 30, 30)).isInstanceOf(Admitted.class);
        assertThat(((Refused) serve("k1", 30, 30)).limitName()).isEqualTo("tenant-day");
    }

    @Test
    void anUnreadableLedgerFollowsTheFailureMode() {
        startGateway("fail-closed");
        ledger.close();
        Refused refused = (Refused) serve("k1", 10, 10);
        assertThat(refused.reason()).isEqualTo(Reason.STORE_UNAVAILABLE);
        assertThat(engine.seedFailures()).isEqualTo(1);

        startGateway("fail-open-local");
        ledger.close();
        LimitDecision admitted = engine.acquire(request("k1", 10, 10)).toCompletableFuture().join();
        assertThat(admitted).isInstanceOf(Admitted.class);
        assertThat(engine.seedFailures()).isEqualTo(3);
    }

    @Test
    void aBudgetCountedWhileTheLedgerWasUnreadableIsRebuiltFromItLater() {
        startGateway("fail-open-local");
        assertThat(serve("k1", 300, 300)).isInstanceOf(Admitted.class);
        stopGateway();

        // a new gateway whose ledger cannot be read at first: its fresh counter starts from zero
        LimitsConfig config = Yaml.config(CONFIG.formatted("fail-open-local"));
        ledger = UsageLedgers.sqlite(dir.resolve("portcullis.db"), clock);
        UsageLedger real = ledger;
        java.util.concurrent.atomic.AtomicBoolean broken = new java.util.concurrent.atomic.AtomicBoolean(true);
        UsageLedger flaky = new UsageLedger() {
            @Override
            public java.util.concurrent.CompletionStage<Void> record(UsageRecord usage) {
                return real.record(usage);
            }

            @Override
            public java.util.concurrent.CompletionStage<UsageTotals> totals(Subject subject, CalendarPeriod period) {
                return broken.get() ? java.util.concurrent.CompletableFuture.failedFuture(
                        new IllegalStateException("ledger unreadable")) : real.totals(subject, period);
            }
        };
        engine = new LimitEngine(LimitStores.memory(clock, 1000, 1000), clock, config, flaky);
        assertThat(serve("k2", 10, 10)).isInstanceOf(Admitted.class); // counted from zero: 20 of 700
        assertThat(engine.seedFailures()).isPositive();

        broken.set(false);
        clock.advance(LimitEngine.UNSEEDED_LIFETIME.plusSeconds(1));
        // rebuilt from the ledger: 600 + 20 used, so 200 more would pass 700; a counter kept from zero would admit
        Refused refused = (Refused) serve("k3", 100, 100);
        assertThat(refused.limitName()).isEqualTo("tenant-day");
    }

    @Test
    void aRequestThatEndsAfterMidnightCountsForTheDayItWasAdmittedIn() {
        startGateway("fail-open-local");
        clock.advance(Duration.ofMinutes(59).plusSeconds(50)); // 23:59:50 in Tokyo
        LimitRequest r = request("k1", 100, 100);
        Instant admittedAt = engine.now();
        assertThat(engine.acquire(r).toCompletableFuture().join()).isInstanceOf(Admitted.class);
        clock.advance(Duration.ofSeconds(20)); // it finishes at 00:00:10, the next day
        engine.record("late", r, new Usage(100, 100), admittedAt).toCompletableFuture().join();
        CalendarPeriod admittedDay = CalendarPeriod.of(Algorithm.DAILY, admittedAt, ZoneId.of("Asia/Tokyo"));
        assertThat(ledger.totals(new Subject(Kind.TENANT, "acme"), admittedDay).toCompletableFuture().join().tokens())
                .isEqualTo(200);
        assertThat(totals(Kind.TENANT, "acme", Algorithm.DAILY).tokens()).isZero();
    }
}
