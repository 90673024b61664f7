package dev.portcullis.limit.config;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Model prices in micro-units of {@code currency} per million tokens. Spend is rounded up to a whole
 * micro-unit so that no request is free by rounding.
 */
public record PriceTable(String currency, Map<String, Price> models) {
    public PriceTable {
        Objects.requireNonNull(currency, "currency");
        models = Map.copyOf(models);
    }

    /** Input and output price per million tokens, in micro-units. */
    public record Price(long inputPerMillion, long outputPerMillion) {
        public Price {
            if (inputPerMillion < 0 || outputPerMillion < 0) {
                throw new IllegalArgumentException("prices must not be negative");
            }
        }

        /** Spend in micro-units for the given token counts. */
        public long spend(long inputTokens, long outputTokens) {
            long total = Math.addExact(Math.multiplyExact(inputTokens, inputPerMillion),
                    Math.multiplyExact(outputTokens, outputPerMillion));
            return Math.ceilDiv(total, 1_000_000L);
        }
    }

    /** The price of {@code model}, if the table has one. */
    public Optional<Price> price(String model) {
        return model == null ? Optional.empty() : Optional.ofNullable(models.get(model));
    }

    public static PriceTable empty() {
        return new PriceTable("USD", Map.of());
    }
}
