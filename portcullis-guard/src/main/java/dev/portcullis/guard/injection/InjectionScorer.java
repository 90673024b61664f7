package dev.portcullis.guard.injection;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Scores prompts for injection: rules ({@link AttackFamily}) plus a logistic-regression classifier over hashed
 * n-grams whose weights ship as a resource. Prompts longer than {@value #WINDOW} characters are scored in
 * overlapping windows and the highest window counts, so the cost stays linear and an attack cannot hide at the end.
 * Immutable and thread-safe.
 */
public final class InjectionScorer {
  /** Window length for long prompts, in characters. */
  public static final int WINDOW = 4096;
  private static final int OVERLAP = 512;
  static final String MODEL_RESOURCE = "/dev/portcullis/guard/injection/model.bin";

  private final LogisticModel model;
  private final InjectionRules rules = new InjectionRules();

  private InjectionScorer(LogisticModel model) {
    this.model = model;
  }

  /** The scorer with the shipped weights; throws if the resource is missing or corrupt (fail at start-up). */
  public static InjectionScorer loadDefault() {
    try (InputStream in = InjectionScorer.class.getResourceAsStream(MODEL_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("injection model resource missing: " + MODEL_RESOURCE);
      }
      return new InjectionScorer(LogisticModel.read(in));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read injection model " + MODEL_RESOURCE, e);
    }
  }

  /** A scorer with weights read from {@code in} (gzip model format written by {@link Train}). */
  public static InjectionScorer load(InputStream in) throws IOException {
    return new InjectionScorer(LogisticModel.read(Objects.requireNonNull(in, "in")));
  }

  static InjectionScorer of(LogisticModel model) {
    return new InjectionScorer(model);
  }

  public InjectionScore score(String prompt) {
    Objects.requireNonNull(prompt, "prompt");
    if (prompt.length() <= WINDOW + OVERLAP) {
      return scoreWindow(prompt);
    }
    InjectionScore best = null;
    Set<AttackFamily> all = EnumSet.noneOf(AttackFamily.class);
    for (int start = 0; start < prompt.length(); start += WINDOW - OVERLAP) {
      int end = Math.min(prompt.length(), start + WINDOW);
      InjectionScore s = scoreWindow(prompt.substring(start, end));
      all.addAll(s.families());
      if (best == null || s.score() > best.score()) {
        best = s;
      }
      if (end == prompt.length()) {
        break;
      }
    }
    return new InjectionScore(best.score(), best.modelScore(), best.ruleScore(), all);
  }

  private InjectionScore scoreWindow(String text) {
    Normalised n = Normalised.of(text);
    InjectionRules.Result r = rules.score(text, n);
    double p = model.probability(n.text(), r.hits());
    return new InjectionScore(Math.max(p, r.score()), p, r.score(), r.families());
  }
}
