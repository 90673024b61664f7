package dev.portcullis.limit.config;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A bundle that keys and tenants reference by name: limits, the models it may call (empty: any),
 * the largest {@code max_tokens} it may ask for, the output reservation used when a request names none,
 * and its priority class.
 */
public record Plan(String name, List<LimitRule> limits, Set<String> allowedModels, long maxOutputTokens,
        long defaultOutputTokens, PriorityClass priority) {
    public Plan {
        Objects.requireNonNull(name, "name");
        limits = List.copyOf(limits);
        allowedModels = Set.copyOf(allowedModels);
        Objects.requireNonNull(priority, "priority");
        if (maxOutputTokens <= 0 || defaultOutputTokens <= 0 || defaultOutputTokens > maxOutputTokens) {
            throw new IllegalArgumentException("need 0 < default-output-tokens <= max-output-tokens");
        }
    }

    /** True if the plan may call {@code model}. */
    public boolean allowsModel(String model) {
        return allowedModels.isEmpty() || allowedModels.contains(model);
    }
}
