package dev.portcullis.limit.config;

/** One problem in limit configuration: {@code path} names the field, e.g. {@code plans.free.limits[2].limit}. */
public record ConfigError(String path, String message) {
    @Override
    public String toString() {
        return path + ": " + message;
    }
}
