package dev.portcullis.guard.eval;

import dev.portcullis.guard.injection.InjectionScorer;
import java.nio.file.Path;

/** Developer entry point: threshold sweep and per-subset report on the held-out split. */
final class InjectionEvaluationReport {
  public static void main(String[] args) throws Exception {
    InjectionEvaluation e = InjectionEvaluation.run(Path.of("data/injection-dev.jsonl"), InjectionScorer.loadDefault());
    for (double t = 0.3; t < 0.96; t += 0.05) {
      var m = e.bySubset(t, true);
      StringBuilder b = new StringBuilder(String.format("t=%.2f ", t));
      m.forEach((k, c) -> b.append(k).append('=').append(c.tp() + c.fn() > 0
          ? String.format("R%.2f ", c.recall()) : String.format("F%.3f ", c.fpr())));
      System.out.println(b);
    }
    System.out.println(e.report(Double.parseDouble(args.length > 0 ? args[0] : "0.5"), true));
  }
}
