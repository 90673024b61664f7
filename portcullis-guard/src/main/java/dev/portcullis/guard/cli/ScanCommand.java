package dev.portcullis.guard.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import dev.portcullis.guard.action.Action;
import dev.portcullis.guard.action.ActionPolicy;
import dev.portcullis.guard.detect.Finding;
import dev.portcullis.guard.detect.FindingType;
import dev.portcullis.guard.detect.Scanner;
import dev.portcullis.guard.detect.ScannerConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code portcullis scan}: PII and secret findings of each document as JSON lines (never the matched values). */
@Command(name = "scan", mixinStandardHelpOptions = true,
    description = "Scan text for PII and secrets; print one JSON line per finding: source, line, type, start, end, "
        + "confidence, action. Reads the files given, or stdin; blank documents are skipped. Exit status: 0 done, "
        + "1 some --jsonl lines were bad (reported on stderr by line number and skipped), 2 bad usage or input.")
public final class ScanCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(arity = "0..*", paramLabel = "FILE", description = "Files to scan (default: stdin).")
  List<Path> files;

  @Option(names = "--jsonl", description = "Each input line is a JSON document; scan its --field.")
  boolean jsonl;

  @Option(names = "--field", defaultValue = "text", description = "JSON field holding the text (default: ${DEFAULT-VALUE}).")
  String field;

  @Option(names = "--region", defaultValue = "US", description = "Phone region for numbers without a country code.")
  String region;

  @Option(names = "--default-action", defaultValue = "redact", description = "Action reported for every type.")
  String defaultAction;

  @Option(names = "--action", paramLabel = "TYPE=ACTION", description = "Action per type, e.g. EMAIL=pseudonymise.")
  Map<String, String> actions;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ActionPolicy policy;
    Scanner scanner;
    try {
      scanner = Scanner.create(ScannerConfig.all(region(region)));
      policy = ActionPolicy.uniform(Action.parse(defaultAction));
      if (actions != null) {
        for (var e : actions.entrySet()) {
          policy = policy.with(type(e.getKey()), Action.parse(e.getValue()));
        }
      }
    } catch (IllegalArgumentException e) {
      err.println("portcullis scan: " + e.getMessage());
      return 2;
    }
    ObjectMapper json = new ObjectMapper();
    ActionPolicy p = policy;
    long bad;
    try {
      bad = Inputs.read(files, System.in, jsonl, field, doc -> {
        for (Finding f : scanner.scan(doc.text())) {
          ObjectNode n = json.createObjectNode();
          n.put("source", doc.source());
          if (jsonl) {
            n.put("line", doc.line());
          }
          n.put("type", f.type().name());
          n.put("category", f.type().category().name().toLowerCase(Locale.ROOT));
          n.put("start", f.start());
          n.put("end", f.end());
          n.put("confidence", Math.round(f.confidence() * 100) / 100.0);
          n.put("action", p.actionFor(f).name());
          out.println(n);
        }
      }, line -> err.println("portcullis scan: " + line));
    } catch (Inputs.BadInput e) {
      out.flush();
      err.println("portcullis scan: " + e.getMessage());
      return 2;
    }
    out.flush();
    if (bad > 0) {
      err.println("portcullis scan: " + bad + " bad input line(s) skipped");
      return 1;
    }
    return 0;
  }

  /** {@code name} as a region libphonenumber knows, upper-cased. */
  private static String region(String name) {
    String r = name.trim().toUpperCase(Locale.ROOT);
    if (!PhoneNumberUtil.getInstance().getSupportedRegions().contains(r)) {
      throw new IllegalArgumentException("unknown region '" + name + "'; expected an ISO 3166 alpha-2 code such as US");
    }
    return r;
  }

  /** The finding type named {@code name}, case-insensitively. */
  private static FindingType type(String name) {
    String n = name.trim().toUpperCase(Locale.ROOT);
    for (FindingType t : FindingType.values()) {
      if (t.name().equals(n)) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown type " + name + "; known: "
        + Arrays.stream(FindingType.values()).map(Enum::name).collect(Collectors.joining(", ")));
  }
}
