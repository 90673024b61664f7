package dev.portcullis.guard.payload;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Inspects the strings of a stream that are not streamed text (identifiers, snapshots, echoed request fields), each
 * whole. The same value repeated in many events (an id, a model name) is inspected once: the last
 * {@value #CACHED} results are kept. At most {@value #MAX} distinct values per response; more is a malformed stream
 * ({@link IllegalStateException}). One instance per response, one thread.
 */
final class WholeTexts {
  static final int MAX = 1024;
  private static final int CACHED = 64;

  private final UnaryOperator<String> inspect;
  private final Map<String, String> recent = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
      return size() > CACHED;
    }
  };
  private int inspected;

  WholeTexts(UnaryOperator<String> inspect) {
    this.inspect = inspect;
  }

  String apply(String text) {
    if (text.isEmpty()) {
      return text;
    }
    String out = recent.get(text);
    if (out != null) {
      return out;
    }
    if (++inspected > MAX) {
      throw new IllegalStateException("more than " + MAX + " whole texts in one response");
    }
    out = inspect.apply(text);
    recent.put(text, out);
    return out;
  }
}
