package dev.portcullis.guard.stream;

/**
 * A filter over a stream of text deltas (e.g. the content deltas of an SSE chat completion). For any split of a
 * text into deltas, the concatenation of every {@link #push} result followed by {@link #finish} equals the filter
 * applied to the whole text. Each implementation documents its hold-back bound. Not thread-safe: one per stream.
 */
public interface TextStreamFilter {
  /** Passes every delta through unchanged; stateless, so one instance serves every stream. */
  TextStreamFilter IDENTITY = new TextStreamFilter() {
    @Override
    public String push(CharSequence delta) {
      return delta.toString();
    }

    @Override
    public String finish() {
      return "";
    }
  };

  /** Accepts the next delta and returns the text that is safe to emit now (possibly empty). */
  String push(CharSequence delta);

  /** Ends the stream and returns the rest. No call may follow. */
  String finish();

  /** {@code first} then {@code second}: the output of {@code first} is the input of {@code second}. */
  static TextStreamFilter chain(TextStreamFilter first, TextStreamFilter second) {
    return new TextStreamFilter() {
      @Override
      public String push(CharSequence delta) {
        return second.push(first.push(delta));
      }

      @Override
      public String finish() {
        String a = second.push(first.finish());
        return a + second.finish();
      }
    };
  }
}
