package dev.portcullis.limit.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One configured limit. {@code name} is what callers see in errors and headers. {@code period} is the
 * window or refill period (for CONCURRENCY: how long an unreleased slot is held). {@code header} names the
 * request header for a HEADER dimension, else null. {@code models} restricts the rule to those models
 * (empty: all models). Build through {@link LimitsConfigParser}, which validates.
 */
public record LimitRule(String name, List<Dimension> dimensions, String header, Unit unit, Algorithm algorithm,
        long limit, Duration period, long burst, Set<String> models) {
    public LimitRule {
        Objects.requireNonNull(name, "name");
        dimensions = List.copyOf(dimensions);
        models = Set.copyOf(models);
        Objects.requireNonNull(unit, "unit");
        if (unit == Unit.CONCURRENCY) {
            if (algorithm != null) {
                throw new IllegalArgumentException("a concurrency rule has no algorithm");
            }
        } else {
            Objects.requireNonNull(algorithm, "algorithm");
        }
        if (limit <= 0 || burst <= 0) {
            throw new IllegalArgumentException("limit and burst must be positive");
        }
        if (algorithm == Algorithm.TOKEN_BUCKET || algorithm == Algorithm.SLIDING_WINDOW || unit == Unit.CONCURRENCY) {
            if (period == null || period.isNegative() || period.isZero()) {
                throw new IllegalArgumentException("period must be positive");
            }
        }
        if (dimensions.contains(Dimension.HEADER) != (header != null)) {
            throw new IllegalArgumentException("header is set exactly when the HEADER dimension is used");
        }
    }

    /** True if this rule counts the given model. */
    public boolean appliesToModel(String model) {
        return models.isEmpty() || (model != null && models.contains(model));
    }
}
