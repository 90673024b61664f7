package dev.portcullis.guard.payload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The fields the OpenAI API defines in the answers of each route, whole and streamed ({@code response-fields.txt},
 * derived from its OpenAPI spec, plus a few fields OpenAI-compatible servers add, known by name). A tree of field
 * names: {@code []} stands for an array's items, {@code *} for a map's values. Loaded once; immutable.
 */
final class KnownFields {
  private static final String ITEMS = "[]";
  private static final String VALUES = "*";

  /** One place in an answer; {@link #child} gives the place of a property, {@link #items} of an array's items. */
  static final class Node {
    private final Map<String, Node> children = new HashMap<>();

    /** The place of property {@code name} here (a map's value when the name is not a field), or null if unknown. */
    Node child(String name) {
      Node n = children.get(name);
      return n != null ? n : children.get(VALUES);
    }

    /** True when {@code name} is a field the API defines here (so the key itself is no free text). */
    boolean defines(String name) {
      return !name.equals(VALUES) && !name.equals(ITEMS) && children.containsKey(name);
    }

    /** The place of this array's items, or null if an array is unknown here. */
    Node items() {
      return children.get(ITEMS);
    }
  }

  private static final Map<Api, Node> ROOTS = load();

  private KnownFields() {}

  /** The root of the answers of {@code api}. */
  static Node root(Api api) {
    return ROOTS.get(api);
  }

  /**
   * Removes every property and array item below {@code node} that the API does not define there and that holds a
   * string (at any depth); numbers, booleans and nulls stay. Returns whether anything was removed.
   */
  static boolean dropUnknown(ObjectNode object, Node node) {
    boolean removed = false;
    for (Iterator<Map.Entry<String, JsonNode>> it = object.properties().iterator(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      Node child = node.child(e.getKey());
      if (child == null) {
        if (holdsText(e.getValue())) {
          it.remove();
          removed = true;
        }
      } else {
        removed |= dropUnknown(e.getValue(), child);
      }
    }
    return removed;
  }

  private static boolean dropUnknown(JsonNode value, Node node) {
    if (value instanceof ObjectNode o) {
      return dropUnknown(o, node);
    }
    if (!(value instanceof ArrayNode a)) {
      return false;
    }
    Node items = node.items();
    boolean removed = false;
    for (int i = a.size() - 1; i >= 0; i--) {
      if (items == null) {
        if (holdsText(a.get(i))) {
          a.remove(i);
          removed = true;
        }
      } else {
        removed |= dropUnknown(a.get(i), items);
      }
    }
    return removed;
  }

  /** Whether a string, or an object key, is anywhere in {@code value}. */
  static boolean holdsText(JsonNode value) {
    if (value.isTextual()) {
      return true;
    }
    if (value instanceof ObjectNode o) {
      return !o.isEmpty();
    }
    for (JsonNode v : value) {
      if (holdsText(v)) {
        return true;
      }
    }
    return false;
  }

  private static Map<Api, Node> load() {
    Map<String, Api> names = Map.of("chat-completions", Api.CHAT_COMPLETIONS, "completions", Api.COMPLETIONS,
        "embeddings", Api.EMBEDDINGS, "responses", Api.RESPONSES);
    Map<Api, Node> roots = new EnumMap<>(Api.class);
    for (Api api : Api.values()) {
      roots.put(api, new Node());
    }
    InputStream in = KnownFields.class.getResourceAsStream("response-fields.txt");
    if (in == null) {
      throw new IllegalStateException("response-fields.txt is missing from the classpath");
    }
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        int space = line.indexOf(' ');
        Node node = roots.get(names.get(line.substring(0, space)));
        for (String segment : segments(line.substring(space + 1))) {
          node = node.children.computeIfAbsent(segment, s -> new Node());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return roots;
  }

  /** {@code a.b[].c.*} → a, b, [], c, *. */
  private static java.util.List<String> segments(String path) {
    java.util.List<String> out = new java.util.ArrayList<>();
    for (String part : path.split("\\.")) {
      String name = part;
      int arrays = 0;
      while (name.endsWith(ITEMS)) {
        name = name.substring(0, name.length() - 2);
        arrays++;
      }
      out.add(name);
      for (int i = 0; i < arrays; i++) {
        out.add(ITEMS);
      }
    }
    return out;
  }
}
