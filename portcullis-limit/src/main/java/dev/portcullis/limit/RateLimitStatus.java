package dev.portcullis.limit;

import dev.portcullis.limit.config.Unit;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The states of all rules that applied to one request, and the response headers they imply. */
public record RateLimitStatus(List<LimitState> states) {
    public RateLimitStatus {
        states = List.copyOf(states);
    }

    public static RateLimitStatus none() {
        return new RateLimitStatus(List.of());
    }

    /** The most constrained rule of {@code unit} (least remaining), if any applied. */
    public Optional<LimitState> tightest(Unit unit) {
        return states.stream().filter(s -> s.unit() == unit)
                .min(Comparator.comparingLong(LimitState::remaining).thenComparing(LimitState::reset));
    }

    /**
     * Headers for every response: OpenAI's {@code x-ratelimit-{limit,remaining,reset}-{requests,tokens}}
     * from the tightest requests and tokens rules, and the IETF {@code RateLimit-Policy} and
     * {@code RateLimit} fields (draft-ietf-httpapi-ratelimit-headers) listing every windowed rule.
     */
    public Map<String, String> headers() {
        Map<String, String> h = new LinkedHashMap<>();
        tightest(Unit.REQUESTS).ifPresent(s -> openAi(h, "requests", s));
        tightest(Unit.TOKENS).ifPresent(s -> openAi(h, "tokens", s));
        StringBuilder policy = new StringBuilder();
        StringBuilder current = new StringBuilder();
        for (LimitState s : states) {
            if (s.window() == null) {
                continue;
            }
            if (!policy.isEmpty()) {
                policy.append(", ");
                current.append(", ");
            }
            policy.append('"').append(s.name()).append("\";q=").append(s.limit())
                    .append(";w=").append(Math.max(1, s.window().toSeconds()));
            current.append('"').append(s.name()).append("\";r=").append(s.remaining())
                    .append(";t=").append(ceilSeconds(s.reset()));
        }
        if (!policy.isEmpty()) {
            h.put("RateLimit-Policy", policy.toString());
            h.put("RateLimit", current.toString());
        }
        return h;
    }

    private static void openAi(Map<String, String> h, String kind, LimitState s) {
        h.put("x-ratelimit-limit-" + kind, Long.toString(s.limit()));
        h.put("x-ratelimit-remaining-" + kind, Long.toString(s.remaining()));
        h.put("x-ratelimit-reset-" + kind, goDuration(s.reset()));
    }

    static long ceilSeconds(Duration d) {
        long s = d.toSeconds();
        return d.toNanosPart() > 0 || d.minusSeconds(s).toNanos() > 0 ? s + 1 : s;
    }

    /** OpenAI's reset format: {@code 20ms}, {@code 1.5s}, {@code 6m0s}, {@code 1h2m3s}. */
    static String goDuration(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + "ms";
        }
        long h = ms / 3_600_000;
        long m = ms % 3_600_000 / 60_000;
        long sMillis = ms % 60_000;
        String secs = sMillis % 1000 == 0 ? Long.toString(sMillis / 1000)
                : String.valueOf(sMillis / 1000.0).replaceAll("0+$", "");
        StringBuilder b = new StringBuilder();
        if (h > 0) {
            b.append(h).append('h');
        }
        if (h > 0 || m > 0) {
            b.append(m).append('m');
        }
        return b.append(secs).append('s').toString();
    }
}
