package dev.portcullis.guard.cli;

import dev.portcullis.guard.eval.InjectionEvaluation;
import dev.portcullis.guard.eval.PiiEvaluation;
import dev.portcullis.guard.injection.InjectionProfile;
import dev.portcullis.guard.injection.InjectionScorer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code portcullis guard-eval}: precision, recall and F1 per PII/secret type, and recall / false-positive rate
 * per injection subset (held-out split) for each built-in profile, as Markdown.
 */
@Command(name = "guard-eval", mixinStandardHelpOptions = true,
    description = "Evaluate the guards on labelled data and print Markdown tables.")
public final class EvaluateCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--pii", defaultValue = "portcullis-guard/data/pii-dev.jsonl", description = "PII/secret cases (JSON lines).")
  Path pii;

  @Option(names = "--injection", defaultValue = "portcullis-guard/data/injection-dev.jsonl",
      description = "Injection prompts (JSON lines).")
  Path injection;

  @Option(names = "--all-rows", description = "Report injection on all rows, not only the held-out split.")
  boolean allRows;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    for (Path p : List.of(pii, injection)) {
      if (!Files.isReadable(p)) {
        err.println("portcullis guard-eval: cannot read " + p + " (run from the repository root or pass --pii/--injection)");
        return 2;
      }
    }
    out.println("## PII and secrets\n");
    out.println(PiiEvaluation.run(pii).report());
    out.println("## Prompt injection\n");
    InjectionEvaluation e = InjectionEvaluation.run(injection, InjectionScorer.loadDefault());
    for (InjectionProfile prof : List.of(InjectionProfile.STRICT, InjectionProfile.BALANCED, InjectionProfile.PERMISSIVE)) {
      out.println("### Profile " + prof.name() + "\n");
      out.println(e.report(prof.threshold(), !allRows));
    }
    out.flush();
    return 0;
  }
}
