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
 * subsets) at a threshold. By default only the held-out split counts: the rest trained the classifier. The split is
 * by exact text, so a held-out prompt may have a near-duplicate among the training rows (the same template with
 * other words filled in); such prompts are marked, and the totals are also given without them.
 */
public final class InjectionEvaluation {
  /** Word shingle size and the Jaccard similarity from which two prompts count as near-duplicates. */
  static final int SHINGLE_WORDS = 8;
  static final double NEAR_DUPLICATE = 0.5;

  /**
   * One scored prompt (no text kept). {@code nearDuplicate}: a held-out prompt with a training row whose
   * {@value #SHINGLE_WORDS}-word shingles overlap its own by a Jaccard similarity of at least 0.5.
   */
  public record Scored(String subset, boolean attack, boolean heldOut, double score, boolean nearDuplicate) {}

  private final List<Scored> scored;

  private InjectionEvaluation(List<Scored> scored) {
    this.scored = List.copyOf(scored);
  }

  public static InjectionEvaluation run(Path jsonl, InjectionScorer scorer) throws IOException {
    List<LabelledPrompt> prompts = LabelledPrompt.read(jsonl);
    // shingle -> training rows holding it
    Map<Long, List<Integer>> index = new java.util.HashMap<>();
    List<java.util.Set<Long>> shingles = new ArrayList<>(prompts.size());
    for (int i = 0; i < prompts.size(); i++) {
      java.util.Set<Long> set = shingles(prompts.get(i).text());
      shingles.add(set);
      if (!Split.heldOut(prompts.get(i).text())) {
        for (long h : set) {
          index.computeIfAbsent(h, k -> new ArrayList<>()).add(i);
        }
      }
    }
    List<Scored> out = new ArrayList<>();
    for (int i = 0; i < prompts.size(); i++) {
      LabelledPrompt p = prompts.get(i);
      boolean heldOut = Split.heldOut(p.text());
      out.add(new Scored(p.subset(), p.attack(), heldOut, scorer.score(p.text()).score(),
          heldOut && nearDuplicate(shingles.get(i), shingles, index)));
    }
    return new InjectionEvaluation(out);
  }

  /** Hashes of the lower-cased word {@value #SHINGLE_WORDS}-grams (the whole text when it has fewer words). */
  static java.util.Set<Long> shingles(String text) {
    String[] words = text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+");
    List<String> w = new ArrayList<>(words.length);
    for (String word : words) {
      if (!word.isEmpty()) {
        w.add(word);
      }
    }
    java.util.Set<Long> out = new java.util.HashSet<>();
    int n = Math.min(SHINGLE_WORDS, w.size());
    for (int i = 0; i + n <= w.size() && n > 0; i++) {
      long h = 1125899906842597L;
      for (int k = i; k < i + n; k++) {
        h = 31 * h + w.get(k).hashCode();
      }
      out.add(h);
    }
    return out;
  }

  private static boolean nearDuplicate(java.util.Set<Long> a, List<java.util.Set<Long>> all,
      Map<Long, List<Integer>> index) {
    Map<Integer, Integer> shared = new java.util.HashMap<>();
    for (long h : a) {
      for (int j : index.getOrDefault(h, List.of())) {
        shared.merge(j, 1, Integer::sum);
      }
    }
    for (var e : shared.entrySet()) {
      int union = a.size() + all.get(e.getKey()).size() - e.getValue();
      if (union > 0 && (double) e.getValue() / union >= NEAR_DUPLICATE) {
        return true;
      }
    }
    return false;
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
    if (heldOutOnly) {
      Counts freshAttacks = Counts.ZERO;
      Counts freshBenign = Counts.ZERO;
      for (Scored s : scored) {
        if (s.heldOut() && !s.nearDuplicate()) {
          if (s.attack()) {
            freshAttacks = freshAttacks.add(true, s.score() >= threshold);
          } else {
            freshBenign = freshBenign.add(false, s.score() >= threshold);
          }
        }
      }
      b.append(String.format(Locale.ROOT, "| **attacks without a near-duplicate in training** | attack | %d | %d | %.3f"
          + " | |%n", freshAttacks.total(), freshAttacks.tp(), freshAttacks.recall()));
      b.append(String.format(Locale.ROOT, "| **benign without a near-duplicate in training** | benign | %d | %d | |"
          + " %.3f |%n", freshBenign.total(), freshBenign.fp(), freshBenign.fpr()));
    }
    return b.toString();
  }
}
