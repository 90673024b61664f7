package dev.portcullis.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves {@code ${env:NAME}} and {@code ${file:PATH}} references in configuration strings, so secrets stay out of
 * the file. A file's trailing line break is dropped. Unresolvable references are problems, never empty strings.
 */
final class SecretReferences {

  private static final Pattern REFERENCE = Pattern.compile("\\$\\{(env|file):([^}]*)}");

  private final Function<String, String> environment;
  private final Path baseDir;

  SecretReferences(Function<String, String> environment, Path baseDir) {
    this.environment = environment;
    this.baseDir = baseDir;
  }

  Path baseDir() {
    return baseDir;
  }

  static SecretReferences system(Path baseDir) {
    Map<String, String> env = System.getenv();
    return new SecretReferences(env::get, baseDir);
  }

  /** The value with references replaced; problems are added (naming {@code path}) and null returned on failure. */
  String resolve(String value, String path, List<String> problems) {
    Matcher m = REFERENCE.matcher(value);
    if (!m.find()) {
      return value;
    }
    StringBuilder out = new StringBuilder();
    m.reset();
    while (m.find()) {
      String kind = m.group(1);
      String name = m.group(2).trim();
      String resolved;
      if (name.isEmpty()) {
        problems.add(path + ": empty ${" + kind + ":} reference");
        return null;
      }
      if (kind.equals("env")) {
        resolved = environment.apply(name);
        if (resolved == null) {
          problems.add(path + ": environment variable " + name + " is not set");
          return null;
        }
      } else {
        Path file = baseDir.resolve(name);
        try {
          resolved = Files.readString(file, StandardCharsets.UTF_8).stripTrailing();
        } catch (IOException e) {
          problems.add(path + ": cannot read secret file " + file + " (" + e.getClass().getSimpleName() + ")");
          return null;
        }
      }
      m.appendReplacement(out, Matcher.quoteReplacement(resolved));
    }
    m.appendTail(out);
    return out.toString();
  }
}
