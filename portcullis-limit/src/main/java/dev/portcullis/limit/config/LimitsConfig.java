package dev.portcullis.limit.config;

import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One immutable, validated snapshot of limit configuration. {@code globalLimits} apply to every request;
 * a request's plan adds its own. {@code instances} divides shared limits in fail-open-local mode. Budgets
 * follow a tenant's own time zone from {@code tenantZones}, else {@code defaultZone}.
 */
public record LimitsConfig(List<LimitRule> globalLimits, Map<String, Plan> plans, String defaultPlan,
        PriceTable prices, FailureMode failureMode, int instances, Duration reservationTtl,
        StreamOverflow streamOverflow, ZoneId defaultZone, Map<String, ZoneId> tenantZones) {
    public LimitsConfig {
        globalLimits = List.copyOf(globalLimits);
        plans = Map.copyOf(plans);
        Objects.requireNonNull(defaultPlan, "defaultPlan");
        if (!plans.containsKey(defaultPlan)) {
            throw new IllegalArgumentException("default plan " + defaultPlan + " is not defined");
        }
        Objects.requireNonNull(prices, "prices");
        Objects.requireNonNull(failureMode, "failureMode");
        if (instances < 1) {
            throw new IllegalArgumentException("instances must be at least 1");
        }
        if (reservationTtl.isNegative() || reservationTtl.isZero()) {
            throw new IllegalArgumentException("reservationTtl must be positive");
        }
        Objects.requireNonNull(streamOverflow, "streamOverflow");
        Objects.requireNonNull(defaultZone, "defaultZone");
        tenantZones = Map.copyOf(tenantZones);
    }

    /** The time zone whose days and months {@code tenant}'s budgets follow ({@code tenant} may be null). */
    public ZoneId zoneOf(String tenant) {
        return tenant == null ? defaultZone : tenantZones.getOrDefault(tenant, defaultZone);
    }

    /** The named plan, if defined. */
    public Optional<Plan> plan(String name) {
        return Optional.ofNullable(plans.get(name));
    }
}
