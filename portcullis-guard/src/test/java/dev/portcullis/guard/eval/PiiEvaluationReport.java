package dev.portcullis.guard.eval;

import java.nio.file.Path;

/** Developer entry point: prints the PII evaluation (the CLI's guard-eval does the same). */
final class PiiEvaluationReport {
  public static void main(String[] args) throws Exception {
    System.out.println(PiiEvaluation.run(Path.of(args.length > 0 ? args[0] : "data/pii-dev.jsonl"), System.err::println).report());
  }
}
