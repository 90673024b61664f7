package dev.portcullis.guard.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.guard.injection.AttackFamily;
import dev.portcullis.guard.injection.InjectionProfile;
import dev.portcullis.guard.injection.InjectionScore;
import dev.portcullis.guard.injection.InjectionScorer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code portcullis injection-score}: the injection score of each document as JSON lines. */
@Command(name = "injection-score", mixinStandardHelpOptions = true,
    description = "Score text for prompt injection; print one JSON line per document: source, line, score, model, "
        + "rules, families, flagged (at the profile's threshold). Reads the files given, or stdin; blank documents are "
        + "skipped. Exit status: 0 done, 1 some --jsonl lines were bad (reported on stderr by line number and "
        + "skipped), 2 bad usage or input.")
public final class InjectionScoreCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(arity = "0..*", paramLabel = "FILE", description = "Files to score (default: stdin).")
  List<Path> files;

  @Option(names = "--jsonl", description = "Each input line is a JSON document; score its --field.")
  boolean jsonl;

  @Option(names = "--field", defaultValue = "text", description = "JSON field holding the text (default: ${DEFAULT-VALUE}).")
  String field;

  @Option(names = "--profile", defaultValue = "balanced", description = "strict, balanced or permissive.")
  String profile;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    InjectionProfile prof;
    try {
      prof = InjectionProfile.named(profile);
    } catch (IllegalArgumentException e) {
      err.println("portcullis injection-score: " + e.getMessage());
      return 2;
    }
    InjectionScorer scorer = InjectionScorer.loadDefault();
    ObjectMapper json = new ObjectMapper();
    long bad;
    try {
      bad = Inputs.read(files, System.in, jsonl, field, doc -> {
        InjectionScore s = scorer.score(doc.text());
        ObjectNode n = json.createObjectNode();
        n.put("source", doc.source());
        if (jsonl) {
          n.put("line", doc.line());
        }
        n.put("score", round(s.score()));
        n.put("model", round(s.modelScore()));
        n.put("rules", round(s.ruleScore()));
        ArrayNode fams = n.putArray("families");
        for (AttackFamily f : AttackFamily.values()) {
          if (s.families().contains(f)) {
            fams.add(f.name());
          }
        }
        n.put("flagged", s.score() >= prof.threshold());
        out.println(n);
      }, line -> err.println("portcullis injection-score: " + line));
    } catch (Inputs.BadInput e) {
      out.flush();
      err.println("portcullis injection-score: " + e.getMessage());
      return 2;
    }
    out.flush();
    if (bad > 0) {
      err.println("portcullis injection-score: " + bad + " bad input line(s) skipped");
      return 1;
    }
    return 0;
  }

  private static double round(double d) {
    return Math.round(d * 1000) / 1000.0;
  }
}
