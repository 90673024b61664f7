package dev.portcullis.limit;

import java.time.ZoneId;
import java.util.Map;

/**
 * What the limit stage knows about one request. Absent identities are null; a rule needing an absent
 * dimension does not apply (so per-IP rules still cover anonymous callers). {@code keyId} is the API key's
 * public id, never the secret. {@code headers} holds the values of configured limit headers, by lower-case
 * name. {@code maxOutputTokens} is the output the request may produce ({@code max_tokens} times {@code n};
 * 0 for embeddings; {@link #PLAN_DEFAULT}: none given, the plan default is reserved); the caller must have
 * rejected values above the plan's maximum. {@code zone} is the tenant's
 * time zone for budgets (null: the configured default).
 */
public record LimitRequest(String ip, String keyId, String principal, String tenant, String route, String model,
        String plan, Map<String, String> headers, long promptTokens, long maxOutputTokens, ZoneId zone) {
    public LimitRequest {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        if (promptTokens < 0 || maxOutputTokens < PLAN_DEFAULT) {
            throw new IllegalArgumentException("token counts must not be negative");
        }
    }

    /** {@code maxOutputTokens} value meaning: none given, reserve the plan's default output. */
    public static final long PLAN_DEFAULT = -1;

    public static Builder builder() {
        return new Builder();
    }

    /** Builds a request; everything is optional. */
    public static final class Builder {
        private String ip;
        private String keyId;
        private String principal;
        private String tenant;
        private String route;
        private String model;
        private String plan;
        private Map<String, String> headers = Map.of();
        private long promptTokens;
        private long maxOutputTokens = PLAN_DEFAULT;
        private ZoneId zone;

        public Builder ip(String v) { ip = v; return this; }
        public Builder keyId(String v) { keyId = v; return this; }
        public Builder principal(String v) { principal = v; return this; }
        public Builder tenant(String v) { tenant = v; return this; }
        public Builder route(String v) { route = v; return this; }
        public Builder model(String v) { model = v; return this; }
        public Builder plan(String v) { plan = v; return this; }
        public Builder headers(Map<String, String> v) { headers = v; return this; }
        public Builder promptTokens(long v) { promptTokens = v; return this; }
        public Builder maxOutputTokens(long v) { maxOutputTokens = v; return this; }
        public Builder zone(ZoneId v) { zone = v; return this; }

        public LimitRequest build() {
            return new LimitRequest(ip, keyId, principal, tenant, route, model, plan, headers, promptTokens,
                    maxOutputTokens, zone);
        }
    }
}
