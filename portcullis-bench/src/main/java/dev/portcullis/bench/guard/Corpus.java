package dev.portcullis.bench.guard;

import java.util.Random;

/** Deterministic English-like prose with sparse PII, and prompts of a given size. */
final class Corpus {
  private static final String[] WORDS = (
      "the of and to a in is that for it as was with be by on not he this are or his from at which but have an they "
      + "you were her she there been one all we their has would when if so no will more can out up about what some "
      + "time could into them other than then its only new two may first any like these over such our after most "
      + "also made many should people must before through back years where much your way well down because each "
      + "report system customer account quarterly revenue meeting project schedule review policy update service "
      + "network delivery contract invoice support request feature release planning budget forecast analysis team "
      + "market product design research question answer document summary section example result method process")
      .split(" ");
  private static final String[] PII = {
    "jane.doe@example.com", "+1 415-555-2671", "4111 1111 1111 1111", "GB29 NWBK 6016 1331 9268 19",
    "192.168.10.20", "123-45-6789", "AKIAIOSFODNN7EXAMPLE", "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",
  };

  private Corpus() {}

  /** About {@code chars} characters of prose with one PII value roughly every {@code piiEvery} characters. */
  static String prose(int chars, int piiEvery, long seed) {
    Random r = new Random(seed);
    StringBuilder b = new StringBuilder(chars + 64);
    int nextPii = piiEvery;
    int sentence = 0;
    while (b.length() < chars) {
      // Zipf-like: favour the first words
      int idx = (int) Math.min(WORDS.length - 1, Math.floor(Math.pow(r.nextDouble(), 2.2) * WORDS.length));
      String w = WORDS[idx];
      if (sentence == 0) {
        w = Character.toUpperCase(w.charAt(0)) + w.substring(1);
      }
      b.append(w);
      sentence++;
      if (b.length() >= nextPii) {
        b.append(' ').append(PII[r.nextInt(PII.length)]);
        nextPii += piiEvery;
      }
      if (sentence > 8 + r.nextInt(12)) {
        b.append(r.nextInt(5) == 0 ? ", and " : ". ");
        sentence = 0;
      } else {
        b.append(r.nextInt(15) == 0 ? ", " : " ");
      }
      if (r.nextInt(400) == 0) {
        b.append(1990 + r.nextInt(40)).append(' ');
      }
    }
    return b.toString();
  }
}
