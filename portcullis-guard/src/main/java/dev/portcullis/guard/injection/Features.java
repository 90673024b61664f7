package dev.portcullis.guard.injection;

import java.util.Map;

/**
 * Hashed features of a normalised prompt: character n-grams (the sizes the model was trained with; 4-grams in the
 * first model format, 3-, 4- and 5-grams now), word unigrams and bigrams, and the rule hit counts, each hashed into
 * {@code 2^bits} buckets. The visitor style keeps scoring allocation-free.
 */
final class Features {
  private Features() {}

  interface Sink {
    void accept(int index, float value);
  }

  /** Number of features {@link #visit} will emit for this input, used for length normalisation. */
  /** Character n-gram sizes as a bit set: bit k set = k-grams. {@link #CHAR_4} is the original feature set. */
  static final int CHAR_4 = 1 << 4;

  static void visit(String text, Map<AttackFamily, Integer> ruleHits, int bits, Sink sink) {
    visit(text, ruleHits, bits, CHAR_4, sink);
  }

  static void visit(String text, Map<AttackFamily, Integer> ruleHits, int bits, int charGrams, Sink sink) {
    int mask = (1 << bits) - 1;
    int n = text.length();
    if (charGrams == CHAR_4) {
      for (int i = 0; i + 4 <= n; i++) {
        int h = 0x9E3779B9;
        h = (h ^ text.charAt(i)) * 0x01000193;
        h = (h ^ text.charAt(i + 1)) * 0x01000193;
        h = (h ^ text.charAt(i + 2)) * 0x01000193;
        h = (h ^ text.charAt(i + 3)) * 0x01000193;
        sink.accept(mix(h) & mask, 1f);
      }
    } else {
      // one hash chain per start position; the k-gram is emitted when the chain is k characters long
      int longest = 31 - Integer.numberOfLeadingZeros(charGrams);
      for (int i = 0; i < n; i++) {
        int h = 0x9E3779B9;
        int end = Math.min(n, i + longest);
        for (int q = i; q < end; q++) {
          h = (h ^ text.charAt(q)) * 0x01000193;
          int k = q - i + 1;
          if ((charGrams & (1 << k)) != 0) {
            sink.accept(mix(h + (k == 4 ? 0 : 0x7F4A7C15 * k)) & mask, 1f);
          }
        }
      }
    }
    // words and word bigrams
    int prev = 0;
    int h = 0x811C9DC5;
    int len = 0;
    for (int i = 0; i <= n; i++) {
      char c = i < n ? text.charAt(i) : ' ';
      if (Character.isLetterOrDigit(c)) {
        h = (h ^ c) * 0x01000193;
        len++;
      } else if (len > 0) {
        sink.accept(mix(h + 0x2545F491) & mask, 1f);
        if (prev != 0) {
          sink.accept(mix(prev * 31 + h + 0x68E31DA4) & mask, 1f);
        }
        prev = h;
        h = 0x811C9DC5;
        len = 0;
      }
    }
    for (var e : ruleHits.entrySet()) {
      int idx = mix(0x51ED270B + e.getKey().ordinal() * 0x3C6EF372) & mask;
      sink.accept(idx, 4f * (float) Math.log1p(e.getValue()));
    }
  }

  static int count(String text) {
    return count(text, CHAR_4);
  }

  static int count(String text, int charGrams) {
    int n = text.length();
    int grams = 0;
    for (int k = 2; k <= 6; k++) {
      if ((charGrams & (1 << k)) != 0) {
        grams += Math.max(0, n - k + 1);
      }
    }
    int words = 0;
    boolean in = false;
    for (int i = 0; i < n; i++) {
      boolean w = Character.isLetterOrDigit(text.charAt(i));
      if (w && !in) {
        words++;
      }
      in = w;
    }
    return grams + Math.max(0, 2 * words - 1);
  }

  private static int mix(int h) {
    h ^= h >>> 16;
    h *= 0x85EBCA6B;
    h ^= h >>> 13;
    h *= 0xC2B2AE35;
    h ^= h >>> 16;
    return h;
  }
}
