package dev.portcullis.limit.config;

import java.util.List;

/** The outcome of parsing limit configuration: a validated snapshot, or every error found. */
public sealed interface ParseResult {
    record Valid(LimitsConfig config) implements ParseResult {}

    record Invalid(List<ConfigError> errors) implements ParseResult {
        public Invalid {
            errors = List.copyOf(errors);
        }
    }
}
