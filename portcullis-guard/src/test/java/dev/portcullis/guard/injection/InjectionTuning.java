package dev.portcullis.guard.injection;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Developer entry point for choosing training settings: trains on the training rows outside the validation part
 * ({@link Split#validation}) and reports recall / false-positive rate per subset on the validation part. The held-out
 * split is neither trained on nor looked at here. Arguments: {@code epochs:charGramBits:subsetBalance[:minFeatures]} per setting.
 * The settings in {@link Train.Config#DEFAULT} are the ones with the fewest validation errors (misses plus false
 * positives) at the balanced threshold, ties to the fewer features.
 */
final class InjectionTuning {
  public static void main(String[] args) throws Exception {
    List<LabelledPrompt> all = LabelledPrompt.read(Path.of("data/injection-dev.jsonl"));
    List<LabelledPrompt> fit = new ArrayList<>();
    List<LabelledPrompt> validation = new ArrayList<>();
    for (LabelledPrompt p : all) {
      if (Split.heldOut(p.text())) {
        continue;
      }
      (Split.validation(p.text()) ? validation : fit).add(p);
    }
    System.out.printf("fit %d, validation %d%n", fit.size(), validation.size());
    for (String a : args) {
      String[] f = a.split(":");
      Train.Config c = new Train.Config(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Double.parseDouble(f[2]),
          f.length > 3 ? Integer.parseInt(f[3]) : 1);
      long t0 = System.nanoTime();
      InjectionScorer s = InjectionScorer.of(Train.train(fit, c));
      long t1 = System.nanoTime();
      Map<String, List<double[]>> bySubset = new TreeMap<>();
      for (LabelledPrompt p : validation) {
        bySubset.computeIfAbsent(p.subset() + (p.attack() ? " +" : " -"), k -> new ArrayList<>())
            .add(new double[] {s.score(p.text()).score()});
      }
      StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%s (train %.1f s)%n", c, (t1 - t0) / 1e9));
      for (double t : new double[] {0.5, 0.8, 0.95}) {
        b.append(String.format(Locale.ROOT, "  t=%.2f", t));
        bySubset.forEach((k, v) -> {
          long hit = v.stream().filter(x -> x[0] >= t).count();
          b.append(String.format(Locale.ROOT, " %s=%d/%d", k.replace("jailbreak_", "jb_"), hit, v.size()));
        });
        b.append('\n');
      }
      long errors = 0;
      for (var e : bySubset.entrySet()) {
        boolean attack = e.getKey().endsWith("+");
        errors += e.getValue().stream().filter(x -> (x[0] >= 0.8) != attack).count();
      }
      b.append(String.format(Locale.ROOT, "  validation errors at the balanced threshold: %d%n", errors));
      System.out.print(b);
    }
  }
}
