package dev.portcullis.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as configuration writes them: a whole number and a unit, {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}. */
public final class Durations {

  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

  /** The hint to put in an error message. */
  public static final String EXAMPLES = "write it with a unit, e.g. 500ms, 30s, 5m, 1h";

  private Durations() {}

  /** The duration, or null when the text is not one. */
  public static Duration parse(String text) {
    Matcher m = DURATION.matcher(text.trim());
    if (!m.matches()) {
      return null;
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
  }
}
