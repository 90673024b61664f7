package dev.portcullis.guard.detect;

import java.util.Objects;

/**
 * One detection: {@code [start, end)} in UTF-16 indexes of the scanned text, and a confidence in (0, 1] raised by
 * checksums and context words. Carries no copy of the matched value.
 */
public record Finding(FindingType type, int start, int end, double confidence) implements Comparable<Finding> {
  public Finding {
    Objects.requireNonNull(type, "type");
    if (start < 0 || end <= start) {
      throw new IllegalArgumentException("bad span [" + start + ", " + end + ")");
    }
    if (!(confidence > 0 && confidence <= 1)) {
      throw new IllegalArgumentException("confidence must be in (0, 1], was " + confidence);
    }
  }

  public int length() {
    return end - start;
  }

  /** Same finding moved by {@code delta} characters. */
  public Finding shift(int delta) {
    return new Finding(type, start + delta, end + delta, confidence);
  }

  @Override
  public int compareTo(Finding o) {
    if (start != o.start) {
      return Integer.compare(start, o.start);
    }
    if (end != o.end) {
      return Integer.compare(o.end, end);
    }
    return Double.compare(o.confidence, confidence);
  }
}
