package dev.portcullis.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;

/** Checks shared by the core loader and feature sections, so every part of the file reports mistakes alike. */
public final class ConfigNodes {

  private ConfigNodes() {}

  /** Adds a problem for each key of {@code node} not in {@code known}: typos never pass silently. */
  public static void knownKeys(JsonNode node, String path, List<String> problems, Collection<String> known) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!known.contains(key)) {
        problems.add((path.isEmpty() ? "" : path + ".") + key + ": unknown key; expected one of "
            + String.join(", ", known));
      }
    }
  }

  public static void knownKeys(JsonNode node, String path, List<String> problems, String... known) {
    knownKeys(node, path, problems, List.of(known));
  }

  /** The same, listing the expected keys alphabetically (for sets without a natural order). */
  public static void knownKeysSorted(JsonNode node, String path, List<String> problems, Collection<String> known) {
    knownKeys(node, path, problems, new TreeSet<>(known));
  }
}
