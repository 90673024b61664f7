package dev.portcullis.guard.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.guard.eval.InjectionEvaluation;
import dev.portcullis.guard.eval.PiiEvaluation;
import dev.portcullis.guard.injection.InjectionProfile;
import dev.portcullis.guard.injection.InjectionScorer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
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
  private static final ObjectMapper JSON = new ObjectMapper();

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
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      check(pii, "text", "type", "expect_detect");
      check(injection, "text", "label");
    } catch (Inputs.BadInput e) {
      err.println("portcullis guard-eval: " + e.getMessage());
      return 2;
    }
    PiiEvaluation p;
    InjectionEvaluation e;
    try {
      p = PiiEvaluation.run(pii);
      e = InjectionEvaluation.run(injection, InjectionScorer.loadDefault());
    } catch (IOException failed) {
      err.println("portcullis guard-eval: " + failed.getMessage());
      return 2;
    }
    out.println("## PII and secrets\n");
    out.println(p.report());
    out.println("## Prompt injection\n");
    for (InjectionProfile prof : List.of(InjectionProfile.STRICT, InjectionProfile.BALANCED, InjectionProfile.PERMISSIVE)) {
      out.println("### Profile " + prof.name() + "\n");
      out.println(e.report(prof.threshold(), !allRows));
    }
    out.flush();
    return 0;
  }

  /**
   * Fails with a one-line message unless {@code file} is readable, every non-blank line is a JSON object (the message
   * gives the line, never its content) and at least one row carries all of {@code label} fields.
   */
  private static void check(Path file, String... label) {
    try {
      Inputs.requireReadableFile(file);
    } catch (Inputs.BadInput e) {
      throw new Inputs.BadInput(e.getMessage() + " (run from the repository root or pass --pii/--injection)");
    }
    long labelled = 0;
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      long no = 0;
      while ((line = r.readLine()) != null) {
        no++;
        if (line.isBlank()) {
          continue;
        }
        JsonNode row;
        try {
          row = JSON.readTree(line);
        } catch (JsonProcessingException e) {
          throw new Inputs.BadInput(file + ":" + no + ": not JSON");
        }
        if (row == null || !row.isObject()) {
          throw new Inputs.BadInput(file + ":" + no + ": not a JSON object");
        }
        if (Arrays.stream(label).allMatch(row::hasNonNull)) {
          labelled++;
        }
      }
    } catch (IOException e) {
      throw new Inputs.BadInput("cannot read " + file + ": " + e.getClass().getSimpleName());
    }
    if (labelled == 0) {
      throw new Inputs.BadInput(file + ": no labelled rows (each needs " + String.join(", ", label) + ")");
    }
  }
}
