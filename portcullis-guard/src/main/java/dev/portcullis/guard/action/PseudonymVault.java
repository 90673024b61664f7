package dev.portcullis.guard.action;

import dev.portcullis.guard.detect.FindingType;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One request's reversible pseudonyms: {@code [EMAIL_1]} and so on, the same value always getting the same
 * placeholder. Holds at most {@code capacity} values; when full, {@link #placeholderFor} returns null and the
 * caller redacts instead (irreversible, never a leak). Lives only as long as its request; not thread-safe.
 */
public final class PseudonymVault {
  /** Longest placeholder, in characters: what a restoring stream filter must hold back. */
  public static final int MAX_PLACEHOLDER = 40;

  static final Pattern PLACEHOLDER = Pattern.compile("\\[([A-Z][A-Z_]{1,23})_([1-9][0-9]{0,5})]");

  private final int capacity;
  private final Map<String, String> byKey = new HashMap<>();
  private final Map<String, String> byPlaceholder = new HashMap<>();
  private final Map<FindingType, Integer> counters = new HashMap<>();

  public PseudonymVault(int capacity) {
    if (capacity < 1 || capacity > 100_000) {
      throw new IllegalArgumentException("capacity must be in 1..100000, was " + capacity);
    }
    this.capacity = capacity;
  }

  /** Placeholder for {@code value}, or null when the vault is full. */
  public String placeholderFor(FindingType type, String value) {
    Objects.requireNonNull(value, "value");
    String key = type.name() + '\u0000' + value;
    String existing = byKey.get(key);
    if (existing != null) {
      return existing;
    }
    if (byPlaceholder.size() >= capacity) {
      return null;
    }
    int n = counters.merge(type, 1, Integer::sum);
    String placeholder = "[" + type.label() + "_" + n + "]";
    byKey.put(key, placeholder);
    byPlaceholder.put(placeholder, value);
    return placeholder;
  }

  /** The value behind {@code placeholder}, or null. */
  public String valueOf(String placeholder) {
    return byPlaceholder.get(placeholder);
  }

  public int size() {
    return byPlaceholder.size();
  }

  /** {@code text} with every placeholder of this vault replaced by its value; unknown placeholders stay. */
  public String restore(CharSequence text) {
    Matcher m = PLACEHOLDER.matcher(text);
    StringBuilder out = null;
    int pos = 0;
    while (m.find()) {
      String v = byPlaceholder.get(m.group());
      if (v != null) {
        if (out == null) {
          out = new StringBuilder(text.length() + 32);
        }
        out.append(text, pos, m.start()).append(v);
        pos = m.end();
      }
    }
    if (out == null) {
      return text.toString();
    }
    return out.append(text, pos, text.length()).toString();
  }
}
