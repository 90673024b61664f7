package dev.portcullis.guard.payload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Every string of an answer that reaches the client, whole (this class) and streamed ({@link ChatStreamRewriter},
 * {@link ResponsesStreamRewriter}): model text, tool calls and their names, refusals, reasoning, transcripts,
 * annotations, identifiers, fields the API does not define ({@link UnknownFields}), and the keys of maps and of
 * unknown fields (a key a guard would change is removed with its value). Log probabilities are removed: their tokens
 * spell the answer out a second time, piece by piece, where no guard can read it whole (the gateway does not ask
 * for them while output is guarded).
 *
 * <p>Roles passed to the {@link TextRewriter}: {@code assistant} for choices and output items, {@link #REQUEST} for
 * the fields of a Responses answer that repeat the request ({@code instructions}, {@code tools}, {@code text},
 * {@code prompt}, {@code metadata}, …), {@code ""} for the rest (identifiers, status, errors).
 */
public final class OutputTexts {
  /** The role of fields that repeat the request rather than carry model output. */
  public static final String REQUEST = "request";
  /** Top-level fields of a Responses answer (and of chat's stored completions) that repeat the request. */
  static final Set<String> ECHOED = Set.of("instructions", "tools", "tool_choice", "text", "prompt", "metadata",
      "user", "safety_identifier", "prompt_cache_key", "reasoning", "conversation", "previous_response_id");

  private OutputTexts() {}

  /** One string: its replacement. {@code path} is null where the caller does not need it. */
  @FunctionalInterface
  interface Strings {
    String apply(String text, String path);
  }

  /** Rewrites every string of a whole (not streamed) answer; returns whether anything changed. */
  public static boolean rewrite(ObjectNode body, Api api, UnknownFields unknown, TextRewriter rewriter) {
    Objects.requireNonNull(rewriter, "rewriter");
    KnownFields.Node root = KnownFields.root(api);
    boolean changed = unknown == UnknownFields.DROP && KnownFields.dropUnknown(body, root);
    for (Iterator<Map.Entry<String, JsonNode>> it = body.properties().iterator(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = e.getKey();
      if (api == Api.RESPONSES && key.equals("output_text")) {
        continue; // recomputed from the rewritten parts below
      }
      String role = api == Api.RESPONSES && ECHOED.contains(key) || key.equals("metadata") ? REQUEST
          : key.equals("choices") || key.equals("output") ? "assistant" : "";
      Strings fn = (text, path) -> Objects.requireNonNull(rewriter.rewrite(text, role, path), "rewritten text");
      changed |= property(it, e, root, "", fn, Set.of());
    }
    if (api == Api.RESPONSES && body.path("output_text").isTextual()) {
      String text = PayloadTexts.outputText(body);
      if (!text.equals(body.get("output_text").asText())) {
        body.put("output_text", text);
        changed = true;
      }
    }
    return changed;
  }

  /**
   * Rewrites the strings of one property of an object whose place is {@code known} (null: unknown): its key when
   * the API does not define it (a changed key removes the property), then its value. TextNodes in {@code skip} were
   * inspected already. Returns whether anything changed.
   */
  static boolean property(Iterator<Map.Entry<String, JsonNode>> it, Map.Entry<String, JsonNode> e,
      KnownFields.Node known, String path, Strings fn, Set<JsonNode> skip) {
    String key = e.getKey();
    String at = path == null ? null : path.isEmpty() ? key : path + "." + key;
    if (known == null || !known.defines(key)) {
      if (!fn.apply(key, at == null ? null : at + "{key}").equals(key)) {
        it.remove();
        return true;
      }
    }
    JsonNode value = e.getValue();
    if (key.equals("logprobs") && (value instanceof ObjectNode || value instanceof ArrayNode a && !a.isEmpty())) {
      e.setValue(value.isArray() ? ((ArrayNode) value).arrayNode() : NullNode.getInstance());
      return true;
    }
    KnownFields.Node child = known == null ? null : known.child(key);
    if (value.isTextual()) {
      if (skip.contains(value)) {
        return false;
      }
      String before = value.asText();
      String after = before.isEmpty() ? before : fn.apply(before, at);
      if (!after.equals(before)) {
        e.setValue(TextNode.valueOf(after));
        return true;
      }
      return false;
    }
    return value(value, child, at, fn, skip);
  }

  /** Rewrites every string below {@code value} (an object or array; other values have none). */
  static boolean value(JsonNode value, KnownFields.Node known, String path, Strings fn, Set<JsonNode> skip) {
    boolean changed = false;
    if (value instanceof ObjectNode o) {
      for (Iterator<Map.Entry<String, JsonNode>> it = o.properties().iterator(); it.hasNext(); ) {
        changed |= property(it, it.next(), known, path, fn, skip);
      }
    } else if (value instanceof ArrayNode a) {
      KnownFields.Node items = known == null ? null : known.items();
      for (int i = 0; i < a.size(); i++) {
        JsonNode item = a.get(i);
        String at = path == null ? null : path + "[" + i + "]";
        if (item.isTextual()) {
          String before = item.asText();
          if (!before.isEmpty() && !skip.contains(item)) {
            String after = fn.apply(before, at);
            if (!after.equals(before)) {
              a.set(i, TextNode.valueOf(after));
              changed = true;
            }
          }
        } else {
          changed |= value(item, items, at, fn, skip);
        }
      }
    }
    return changed;
  }
}
