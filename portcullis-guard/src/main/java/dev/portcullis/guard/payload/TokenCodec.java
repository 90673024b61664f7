package dev.portcullis.guard.payload;

/**
 * How the guards read a prompt given as token ids (completions {@code prompt}, embeddings {@code input}): the model's
 * own encoding, so that the text the upstream will read is the text inspected. Without a codec for the model such a
 * prompt cannot be inspected and is refused.
 */
public interface TokenCodec {

  /** Token ids are forwarded unread: for a profile that inspects no input, so has nothing to read them for. */
  TokenCodec UNREAD = new TokenCodec() {
    @Override
    public String decode(int[] ids) {
      throw new UnsupportedOperationException("unread");
    }

    @Override
    public int[] encode(String text) {
      throw new UnsupportedOperationException("unread");
    }
  };

  /** The text of {@code ids}; {@link IllegalArgumentException} for an id the encoding does not have. */
  String decode(int[] ids);

  /** The ids of {@code text}, special-token text encoded as ordinary text. */
  int[] encode(String text);
}
