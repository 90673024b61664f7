package dev.portcullis.bench.limit;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.limit.config.LimitsConfig;
import dev.portcullis.limit.config.LimitsConfigParser;
import dev.portcullis.limit.config.ParseResult;

/** Shared benchmark helpers. */
final class Benchmarks {
    private Benchmarks() {}

    /** Two request rules (per key, per IP) with limits high enough that every decision admits. */
    static LimitsConfig twoRules() {
        String json = """
                {"plans": {"free": {"limits": [
                  {"name": "per-key", "per": ["key"], "unit": "requests", "algorithm": "token_bucket",
                   "limit": 1000000000, "period": "1s"},
                  {"name": "per-ip", "per": ["ip"], "unit": "requests", "algorithm": "token_bucket",
                   "limit": 1000000000, "period": "1s"}]}}}""";
        try {
            return switch (LimitsConfigParser.parse(new ObjectMapper().readTree(json))) {
                case ParseResult.Valid v -> v.config();
                case ParseResult.Invalid i -> throw new IllegalStateException(i.errors().toString());
            };
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
