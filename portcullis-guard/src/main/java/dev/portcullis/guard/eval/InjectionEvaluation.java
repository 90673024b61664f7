package dev.portcullis.guard.eval;

import dev.portcullis.guard.injection.InjectionScorer;
import dev.portcullis.guard.injection.LabelledPrompt;
import dev.portcullis.guard.injection.Split;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Scores the injection data and reports, per subset, recall (attack subsets) or false-positive rate (benign
 * subsets) at a threshold. By default only the held-out split counts: the rest trained the classifier.
 */
public final class InjectionEvaluation {
  /** One scored prompt (no text kept). */
  public record Scored(String subset, boolean attack, boolean heldOut, double score) {}

  private final List<Scored> scored;

  private InjectionEvaluation(List<Scored> scored) {
    this.scored = List.copyOf(scored);
  }

  public static InjectionEvaluation run(Path jsonl, InjectionScorer scorer) throws IOException {
    List<Scored> out = new ArrayList<>();
    for (LabelledPrompt p : LabelledPrompt.read(jsonl)) {
      out.add(new Scored(p.subset(), p.attack(), Split.heldOut(p.text()), scorer.score(p.text()).score()));
    }
    return new InjectionEvaluation(out);
  }

  public List<Scored> scored() {
    return scored;
  }

  /** Counts per subset at {@code threshold}, over the held-out rows only or over all rows. */
  public Map<String, Counts> bySubset(double threshold, boolean heldOutOnly) {
    Map<String, Counts> m = new TreeMap<>();
    for (Scored s : scored) {
      if (heldOutOnly && !s.heldOut()) {
        continue;
      }
      m.merge(s.subset() + (s.attack() ? " (attack)" : " (benign)"), Counts.ZERO.add(s.attack(), s.score() >= threshold), InjectionEvaluation::sum);
    }
    return m;
  }

  private static Counts sum(Counts a, Counts b) {
    return new Counts(a.tp() + b.tp(), a.fp() + b.fp(), a.fn() + b.fn(), a.tn() + b.tn());
  }

  /** Markdown table of recall / false-positive rate per subset. */
  public String report(double threshold, boolean heldOutOnly) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "Threshold %.2f, %s.%n%n", threshold,
        heldOutOnly ? "held-out split only (never seen in training)" : "all rows (80% were used in training)"));
    b.append("| subset | kind | prompts | flagged | recall | false-positive rate |\n|---|---|---:|---:|---:|---:|\n");
    Counts attacks = Counts.ZERO;
    Counts benign = Counts.ZERO;
    for (var e : bySubset(threshold, heldOutOnly).entrySet()) {
      Counts c = e.getValue();
      boolean attack = c.tp() + c.fn() > 0;
      if (attack) {
        attacks = sum(attacks, c);
      } else {
        benign = sum(benign, c);
      }
      b.append(String.format(Locale.ROOT, "| %s | %s | %d | %d | %s | %s |%n", e.getKey(), attack ? "attack" : "benign",
          c.total(), c.tp() + c.fp(), attack ? String.format(Locale.ROOT, "%.3f", c.recall()) : "",
          attack ? "" : String.format(Locale.ROOT, "%.3f", c.fpr())));
    }
    b.append(String.format(Locale.ROOT, "| **all attacks** | attack | %d | %d | %.3f | |%n", attacks.total(),
        attacks.tp(), attacks.recall()));
    b.append(String.format(Locale.ROOT, "| **all benign** | benign | %d | %d | | %.3f |%n", benign.total(), benign.fp(),
        benign.fpr()));
    return b.toString();
  }
}
