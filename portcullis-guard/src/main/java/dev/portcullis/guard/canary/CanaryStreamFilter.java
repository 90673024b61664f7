package dev.portcullis.guard.canary;

import dev.portcullis.guard.stream.TextStreamFilter;
import java.util.List;
import java.util.Objects;

/**
 * Replaces every appearance of a canary in a streamed response by {@code [CANARY]}, equal to
 * {@link #redact(CanaryDetector, CharSequence)} of the whole text. Holds back at most
 * {@link CanaryDetector#holdBack()} - 1 characters, and only while the tail could still start an appearance (a
 * started run of canary characters, separators between them included) or one found could still grow.
 * {@link #leaks()} counts appearances so far (the caller emits the security event, and may end the stream).
 */
public final class CanaryStreamFilter implements TextStreamFilter {
  static final String REPLACEMENT = "[CANARY]";

  private final CanaryDetector detector;
  private final StringBuilder pending = new StringBuilder();
  private int leaks;
  private boolean finished;

  public CanaryStreamFilter(CanaryDetector detector) {
    this.detector = Objects.requireNonNull(detector, "detector");
  }

  /** Whole-text form of this filter. */
  public static String redact(CanaryDetector detector, CharSequence text) {
    List<CanaryDetector.Leak> leaks = detector.find(text);
    if (leaks.isEmpty()) {
      return text.toString();
    }
    StringBuilder out = new StringBuilder(text.length());
    int pos = 0;
    for (CanaryDetector.Leak l : leaks) {
      out.append(text, pos, l.start()).append(REPLACEMENT);
      pos = l.end();
    }
    return out.append(text, pos, text.length()).toString();
  }

  @Override
  public String push(CharSequence delta) {
    if (finished) {
      throw new IllegalStateException("stream already finished");
    }
    pending.append(delta);
    return drain(false);
  }

  @Override
  public String finish() {
    if (finished) {
      throw new IllegalStateException("stream already finished");
    }
    finished = true;
    return drain(true);
  }

  public int leaks() {
    return leaks;
  }

  private String drain(boolean complete) {
    CanaryDetector.Scan scan = detector.scan(pending);
    int boundary = complete ? pending.length() : scan.stableEnd();
    List<CanaryDetector.Leak> found = scan.leaks();
    StringBuilder out = new StringBuilder();
    int pos = 0;
    for (CanaryDetector.Leak l : found) {
      if (l.start() >= boundary) {
        break;
      }
      if (l.end() > boundary) {
        boundary = l.start(); // it may still grow: held back whole
        break;
      }
      out.append(pending, pos, l.start()).append(REPLACEMENT);
      pos = l.end();
      leaks++;
    }
    int cut = Math.max(pos, boundary);
    out.append(pending, pos, cut);
    pending.delete(0, cut);
    return out.toString();
  }
}
