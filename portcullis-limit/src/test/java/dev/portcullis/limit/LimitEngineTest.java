package dev.portcullis.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.limit.LimitDecision.Admitted;
import dev.portcullis.limit.LimitDecision.Reason;
import dev.portcullis.limit.LimitDecision.Refused;
import dev.portcullis.limit.config.LimitsConfig;
import dev.portcullis.limit.config.Yaml;
import dev.portcullis.limit.store.LimitStore;
import dev.portcullis.limit.store.LimitStores;
import dev.portcullis.limit.store.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LimitEngineTest {
    static final String CONFIG = """
            default-plan: free
            prices:
              models:
                gpt-4o: { input: 2.50, output: 10.00 }
            global:
              - { name: global-rpm, per: [global], unit: requests, algorithm: sliding_window, limit: 1000, period: 1m }
            plans:
              internal:
                priority: critical
                limits:
                  - { name: internal-rpm, per: [principal], unit: requests, algorithm: sliding_window, limit: 5000, period: 1m }
              free:
                max-output-tokens: 1000
                default-output-tokens: 100
                limits:
                  - { name: free-rpm, per: [key], unit: requests, algorithm: sliding_window, limit: 3, period: 1m }
                  - { name: free-tpm, per: [key], unit: tokens, algorithm: token_bucket, limit: 1000, period: 1m }
                  - { name: free-streams, per: [key], unit: concurrency, limit: 2, period: 5m }
              metered:
                limits:
                  - { name: tenant-model-tpd, per: [tenant, model], unit: tokens, algorithm: daily, limit: 500 }
                  - { name: tenant-spend, per: [tenant], unit: spend, algorithm: monthly, limit: 10000 }
            """;

    final MutableClock clock = new MutableClock(Instant.parse("2031-03-14T22:30:00Z"));
    final LimitStore store = LimitStores.memory(clock, 10_000, 10_000);
    final LimitEngine engine = new LimitEngine(store, clock, Yaml.config(CONFIG));

    LimitDecision decide(LimitRequest r) {
        return engine.acquire(r).toCompletableFuture().join();
    }

    static LimitRequest.Builder key(String id) {
        return LimitRequest.builder().ip("203.0.113.9").keyId(id).model("gpt-4o").promptTokens(50);
    }

    @Test
    void refusalNamesTheConfiguredLimitNeverAStoreKey() {
        for (int i = 0; i < 3; i++) {
            Admitted a = (Admitted) decide(key("k1").build());
            engine.settle(a.lease(), new Usage(50, 10));
        }
        Refused r = (Refused) decide(key("k1").build());
        assertThat(r.limitName()).isEqualTo("free-rpm");
        assertThat(r.reason()).isEqualTo(Reason.OVER_LIMIT);
        assertThat(r.httpStatus()).isEqualTo(429);
        assertThat(r.headers()).containsEntry("Retry-After", "60");
        assertThat(r.errorBody()).contains("\"limit\":\"free-rpm\"").contains("rate_limit_exceeded")
                .doesNotContain("k1").doesNotContain("p.free");
    }

    @Test
    void headersCarryOpenAiAndIetfFields() {
        Admitted a = (Admitted) decide(key("k2").build());
        Map<String, String> h = a.status().headers();
        assertThat(h).containsEntry("x-ratelimit-limit-requests", "3")
                .containsEntry("x-ratelimit-remaining-requests", "2")
                .containsEntry("x-ratelimit-reset-requests", "1m0s")
                .containsEntry("x-ratelimit-limit-tokens", "1000")
                .containsEntry("x-ratelimit-remaining-tokens", "850")
                .containsEntry("x-ratelimit-reset-tokens", "9s")
                .containsEntry("RateLimit-Policy",
                        "\"global-rpm\";q=1000;w=60, \"free-rpm\";q=3;w=60, \"free-tpm\";q=1000;w=60")
                .containsEntry("RateLimit", "\"global-rpm\";r=999;t=60, \"free-rpm\";r=2;t=60, \"free-tpm\";r=850;t=9");
    }

    @Test
    void reservesPromptPlusOutputAndSettlementRefundsTheRest() {
        Admitted a = (Admitted) decide(key("k3").maxOutputTokens(800).build());
        assertThat(a.lease().tokenAllowance()).isEqualTo(1000);
        assertThat(decide(key("k3").maxOutputTokens(800).build())).isInstanceOf(Refused.class);
        assertThat(engine.settle(a.lease(), new Usage(50, 50)).toCompletableFuture().join()).isTrue();
        assertThat(decide(key("k3").maxOutputTokens(800).build())).isInstanceOf(Admitted.class);
    }

    @Test
    void concurrencySlotsAreHeldUntilTheLeaseEnds() {
        Admitted first = (Admitted) decide(key("k4").build());
        decide(key("k4").build());
        Refused third = (Refused) decide(key("k4").build());
        assertThat(third.limitName()).isEqualTo("free-streams");
        engine.release(first.lease()).toCompletableFuture().join();
        clock.advance(Duration.ofMinutes(1));
        assertThat(decide(key("k4").build())).isInstanceOf(Admitted.class);
    }

    @Test
    void requestLargerThanTheLimitIsRefusedWithoutRetryAfter() {
        Refused r = (Refused) decide(key("k5").maxOutputTokens(5000).build());
        assertThat(r.reason()).isEqualTo(Reason.TOO_LARGE);
        assertThat(r.limitName()).isEqualTo("free-tpm");
        assertThat(r.headers()).doesNotContainKey("Retry-After");
    }

    @Test
    void unknownPlanFailsClosed() {
        Refused r = (Refused) decide(key("k6").plan("gold").build());
        assertThat(r.reason()).isEqualTo(Reason.UNKNOWN_PLAN);
        assertThat(r.httpStatus()).isEqualTo(403);
    }

    @Test
    void spendLimitRefusesAModelWithoutPrice() {
        Refused r = (Refused) decide(LimitRequest.builder().tenant("t1").model("mystery").plan("metered").maxOutputTokens(10).build());
        assertThat(r.reason()).isEqualTo(Reason.UNPRICED_MODEL);
        assertThat(r.limitName()).isEqualTo("tenant-spend");
    }

    @Test
    void perTenantPerModelBudgetsCountEachCombinationAndResetAtTenantMidnight() {
        ZoneId ny = ZoneId.of("America/New_York");
        LimitRequest.Builder a = LimitRequest.builder().tenant("acme").model("gpt-4o").plan("metered")
                .promptTokens(300).maxOutputTokens(100).zone(ny);
        assertThat(decide(a.build())).isInstanceOf(Admitted.class);
        assertThat(((Refused) decide(a.build())).limitName()).isEqualTo("tenant-model-tpd");
        assertThat(decide(a.model("gpt-4o-mini").build())).isInstanceOf(Refused.class);
        // 22:30 UTC is 18:30 in New York: the tenant's day ends at 04:00 UTC.
        clock.advance(Duration.ofHours(5).plusMinutes(29));
        assertThat(decide(a.model("gpt-4o").build())).isInstanceOf(Refused.class);
        clock.advance(Duration.ofMinutes(1));
        assertThat(decide(a.model("gpt-4o").build())).isInstanceOf(Admitted.class);
    }

    @Test
    void usageReportsBudgetsWithoutChargingThem() {
        LimitRequest r = LimitRequest.builder().tenant("reporter").model("gpt-4o").plan("metered")
                .promptTokens(100).maxOutputTokens(100).build();
        decide(r);
        for (int i = 0; i < 3; i++) {
            RateLimitStatus s = engine.usage(r).toCompletableFuture().join();
            assertThat(s.states()).extracting(LimitState::name, LimitState::remaining)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("global-rpm", 999L),
                            org.assertj.core.groups.Tuple.tuple("tenant-model-tpd", 300L),
                            org.assertj.core.groups.Tuple.tuple("tenant-spend", 10000L - 1250L));
        }
    }

    @Test
    void spendIsChargedFromThePriceTable() {
        LimitRequest r = LimitRequest.builder().tenant("spender").model("gpt-4o").plan("metered")
                .promptTokens(100).maxOutputTokens(200).build();
        Admitted a = (Admitted) decide(r);
        // 100 * 2.50 + 200 * 10.00 per million = 2250 micro-USD reserved of 10000.
        assertThat(a.status().states()).filteredOn(s -> s.name().equals("tenant-spend"))
                .extracting(LimitState::remaining).containsExactly(7750L);
    }

    @Test
    void planEditsTakeEffectOnTheNextRequest() {
        decide(key("k7").build());
        LimitsConfig stricter = Yaml.config(CONFIG.replace("limit: 3, period: 1m", "limit: 1, period: 1m"));
        engine.update(stricter);
        assertThat(((Refused) decide(key("k7").build())).limitName()).isEqualTo("free-rpm");
    }

    @Test
    void rulesWhoseDimensionIsAbsentDoNotApply() {
        LimitDecision d = decide(LimitRequest.builder().ip("198.51.100.1").build());
        assertThat(d).isInstanceOf(Admitted.class);
        assertThat(d.status().states()).extracting(LimitState::name).containsExactly("global-rpm");
    }

    @Test
    void globalProtectionNeverRefusesCriticalPlans() {
        for (int i = 0; i < 1000; i++) {
            decide(LimitRequest.builder().ip("198.51.100.2").build());
        }
        assertThat(((Refused) decide(LimitRequest.builder().ip("198.51.100.2").build())).limitName())
                .isEqualTo("global-rpm");
        LimitDecision internal = decide(LimitRequest.builder().principal("batch-job").plan("internal").build());
        assertThat(internal).isInstanceOf(Admitted.class);
        assertThat(internal.status().states()).extracting(LimitState::name).containsExactly("internal-rpm");
    }
}
