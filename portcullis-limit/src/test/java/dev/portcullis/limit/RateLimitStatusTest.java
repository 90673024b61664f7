package dev.portcullis.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.limit.config.Unit;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RateLimitStatusTest {
    @Test
    void formatsResetTimesAsOpenAiDoes() {
        assertThat(RateLimitStatus.goDuration(Duration.ofMillis(20))).isEqualTo("20ms");
        assertThat(RateLimitStatus.goDuration(Duration.ofMillis(1500))).isEqualTo("1.5s");
        assertThat(RateLimitStatus.goDuration(Duration.ofMinutes(6))).isEqualTo("6m0s");
        assertThat(RateLimitStatus.goDuration(Duration.ofSeconds(3723))).isEqualTo("1h2m3s");
    }

    @Test
    void reportsTheTightestRuleOfEachUnitAndOmitsConcurrencyFromIetfFields() {
        RateLimitStatus s = new RateLimitStatus(List.of(
                new LimitState("wide", Unit.REQUESTS, 100, 90, Duration.ofSeconds(5), Duration.ofMinutes(1)),
                new LimitState("narrow", Unit.REQUESTS, 10, 2, Duration.ofMillis(2500), Duration.ofSeconds(10)),
                new LimitState("streams", Unit.CONCURRENCY, 2, 1, Duration.ZERO, null)));
        assertThat(s.headers()).containsEntry("x-ratelimit-limit-requests", "10")
                .containsEntry("x-ratelimit-remaining-requests", "2")
                .containsEntry("x-ratelimit-reset-requests", "2.5s")
                .doesNotContainKey("x-ratelimit-limit-tokens")
                .containsEntry("RateLimit", "\"wide\";r=90;t=5, \"narrow\";r=2;t=3");
    }

    @Test
    void retryAfterIsWholeSecondsRoundedUp() {
        LimitDecision.Refused r = new LimitDecision.Refused("x", LimitDecision.Reason.OVER_LIMIT,
                Duration.ofMillis(1200), RateLimitStatus.none());
        assertThat(r.headers()).containsEntry("Retry-After", "2");
    }
}
