package dev.portcullis.guard.payload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.portcullis.guard.payload.RequestSchema.Arr;
import dev.portcullis.guard.payload.RequestSchema.ByType;
import dev.portcullis.guard.payload.RequestSchema.Either;
import dev.portcullis.guard.payload.RequestSchema.Free;
import dev.portcullis.guard.payload.RequestSchema.Group;
import dev.portcullis.guard.payload.RequestSchema.MapOf;
import dev.portcullis.guard.payload.RequestSchema.Message;
import dev.portcullis.guard.payload.RequestSchema.Node;
import dev.portcullis.guard.payload.RequestSchema.Prompts;
import dev.portcullis.guard.payload.RequestSchema.Obj;
import dev.portcullis.guard.payload.RequestSchema.Text;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Every string of an OpenAI-compatible request body, in one walk that also checks the shapes of the fields it
 * reads ({@link RequestSchema}): message contents and parts, names, refusals, tool calls, tool and function
 * definitions (names, descriptions, parameter schemas, keys included), response formats, predictions, suffixes,
 * stop sequences, metadata, user ids, Responses instructions, items, tools and text formats, stored-prompt
 * variables, and every string of fields the schema does not name. Not read: {@code model} and binary payloads
 * (base64 audio and files, {@code data:} URLs, encrypted reasoning).
 */
public final class RequestTexts {
  private RequestTexts() {}

  /** How a string is used upstream, which decides the checks it gets. */
  public enum Use {
    /** Read by the model as instructions or conversation: PII/secret actions and the injection score. */
    PROMPT,
    /** The system prompt (system and developer messages, Responses {@code instructions}): PII/secret actions. */
    SYSTEM,
    /** Other text sent upstream (ids, user, metadata, stop sequences, unknown fields): PII/secret actions. */
    DATA,
    /** A URL: PII/secret actions unless it is a {@code data:} URL (binary). */
    URL,
    /** Base64 payloads and encrypted content: not text, not inspected. */
    BINARY,
    /** The model name: already checked against the route's models. */
    MODEL
  }

  /** What the guards do with the strings of a request. */
  public interface Inspector {
    /** The string to forward instead of {@code text} (the same one to keep it): every inspected string and key. */
    String redact(String text);

    /** An instruction-like text for the injection score (never a system prompt). */
    void score(String text);

    /** How to read prompts given as token ids; null when they cannot be read (such a request is refused). */
    default TokenCodec tokenCodec() {
      return null;
    }
  }

  /** Why a request cannot be inspected: the offending field as an OpenAI error {@code param}, and a message. */
  public record Problem(String param, String message) {}

  /** Result of one walk: a shape the API does not define (nothing else is meaningful then), or whether it changed. */
  public record Outcome(Problem problem, boolean changed) {}

  /** Keys whose values are enums: skipped when the value looks like one ({@code input_text}, {@code user}). */
  private static final Set<String> ENUM_KEYS = Set.of("type", "role", "detail", "status", "object", "format");
  private static final Set<String> BINARY_KEYS = Set.of("file_data", "encrypted_content", "b64_json");

  /**
   * Inspects (and rewrites in place) every string of {@code body}; stops at the first shape the API does not define.
   * The problem's message names fields, never content.
   */
  public static Outcome inspect(ObjectNode body, Api api, Inspector inspector) {
    Walk w = new Walk(Objects.requireNonNull(inspector, "inspector"));
    w.node(body, RequestSchema.of(api), Use.DATA);
    return new Outcome(w.problem, w.changed);
  }

  private static final class Walk {
    final Inspector inspector;
    final List<Object> path = new ArrayList<>();
    Problem problem;
    boolean changed;
    boolean system;
    StringBuilder group;

    Walk(Inspector inspector) {
      this.inspector = inspector;
    }

    /** Walks {@code value} as {@code node}; returns its replacement when a string changed, else null. */
    JsonNode node(JsonNode value, Node node, Use around) {
      if (problem != null || value == null || value.isNull()) {
        return null;
      }
      return switch (node) {
        case Text t -> value.isTextual() ? string(value.textValue(), t.use())
            : refuse("must be a string");
        case Prompts p -> value instanceof ArrayNode arr ? prompts(arr) : refuse("must be an array");
        case Obj o -> value instanceof ObjectNode obj ? object(obj, o.fields(), around) : refuse("must be an object");
        case Arr a -> value instanceof ArrayNode arr ? array(arr, a.item(), around) : refuse("must be an array");
        case MapOf m -> value instanceof ObjectNode obj ? map(obj, m.value(), around) : refuse("must be an object");
        case Either e -> either(value, e, around);
        case Free f -> free(value, f.use(), null);
        case Group g -> group(value, g.inner());
        case Message m -> message(value, m);
        case ByType b -> byType(value, b);
      };
    }

    JsonNode either(JsonNode value, Either e, Use around) {
      Node chosen = value.isTextual() ? e.string() : value.isArray() ? e.array() : value.isObject() ? e.object()
          : value.isNumber() ? e.number() : null;
      if (chosen == null) {
        List<String> shapes = new ArrayList<>(4);
        if (e.string() != null) {
          shapes.add("a string");
        }
        if (e.array() != null) {
          shapes.add("an array");
        }
        if (e.object() != null) {
          shapes.add("an object");
        }
        if (e.number() != null) {
          shapes.add("a number");
        }
        return refuse("must be " + String.join(" or ", shapes));
      }
      return node(value, chosen, around);
    }

    JsonNode object(ObjectNode obj, Map<String, Node> fields, Use around) {
      for (var it = obj.properties().iterator(); it.hasNext() && problem == null; ) {
        var e = it.next();
        Node known = fields.get(e.getKey());
        path.add(e.getKey());
        JsonNode replaced = known != null ? node(e.getValue(), known, around) : free(e.getValue(), around, e.getKey());
        path.removeLast();
        if (replaced != null) {
          e.setValue(replaced);
        }
      }
      return null;
    }

    JsonNode array(ArrayNode arr, Node item, Use around) {
      for (int i = 0; i < arr.size() && problem == null; i++) {
        path.add(i);
        JsonNode replaced = arr.get(i).isNull() ? refuse("must not be null") : node(arr.get(i), item, around);
        path.removeLast();
        if (replaced != null) {
          arr.set(i, replaced);
        }
      }
      return null;
    }

    /** A prompt array: one list of token ids, or a batch whose items are strings or lists of token ids. */
    JsonNode prompts(ArrayNode arr) {
      if (!arr.isEmpty() && arr.get(0).isNumber()) {
        return tokens(arr);
      }
      for (int i = 0; i < arr.size() && problem == null; i++) {
        JsonNode item = arr.get(i);
        path.add(i);
        JsonNode replaced = item.isTextual() ? string(item.textValue(), Use.PROMPT)
            : item instanceof ArrayNode ids ? tokens(ids)
            : refuse("must be a string or an array of token ids");
        path.removeLast();
        if (replaced != null) {
          arr.set(i, replaced);
        }
      }
      return null;
    }

    /** Token ids: decoded with the model's codec and inspected as a prompt; their new ids when the text changed. */
    JsonNode tokens(ArrayNode arr) {
      int[] ids = new int[arr.size()];
      for (int i = 0; i < ids.length; i++) {
        JsonNode id = arr.get(i);
        if (!id.isIntegralNumber() || !id.canConvertToInt() || id.intValue() < 0) {
          path.add(i);
          refuse("must be a token id (a whole number, 0 or more)");
          path.removeLast();
          return null;
        }
        ids[i] = id.intValue();
      }
      TokenCodec codec = inspector.tokenCodec();
      if (codec == TokenCodec.UNREAD || ids.length == 0) {
        return null;
      }
      if (codec == null) {
        return refuse("is given as token ids, which the gateway cannot read for this model; send the text instead");
      }
      String text;
      try {
        text = codec.decode(ids);
      } catch (IllegalArgumentException e) {
        return refuse("holds a token id the model's encoding does not have");
      }
      String after = inspectText(text, Use.PROMPT);
      if (after.equals(text)) {
        return null;
      }
      changed = true;
      ArrayNode encoded = arr.arrayNode(ids.length);
      for (int id : codec.encode(after)) {
        encoded.add(id);
      }
      return encoded;
    }

    JsonNode map(ObjectNode obj, Node value, Use around) {
      renameKeys(obj, Use.DATA);
      for (var it = obj.properties().iterator(); it.hasNext() && problem == null; ) {
        var e = it.next();
        path.add(e.getKey());
        JsonNode replaced = node(e.getValue(), value, around);
        path.removeLast();
        if (replaced != null) {
          e.setValue(replaced);
        }
      }
      return null;
    }

    /**
     * Any JSON: every string and key as {@code use}, except binary payloads (known keys, base64 {@code data:} URLs)
     * and enum values; {@code key} is the field's name.
     */
    JsonNode free(JsonNode value, Use use, String key) {
      if (value instanceof ObjectNode obj) {
        renameKeys(obj, use);
        for (var it = obj.properties().iterator(); it.hasNext(); ) {
          var e = it.next();
          JsonNode replaced = free(e.getValue(), use, e.getKey());
          if (replaced != null) {
            e.setValue(replaced);
          }
        }
      } else if (value instanceof ArrayNode arr) {
        for (int i = 0; i < arr.size(); i++) {
          JsonNode replaced = free(arr.get(i), use, key);
          if (replaced != null) {
            arr.set(i, replaced);
          }
        }
      } else if (value.isTextual()) {
        String s = value.textValue();
        boolean binary = key != null && BINARY_KEYS.contains(key) && base64(s, 0) || dataUrl(s);
        if (binary || key != null && ENUM_KEYS.contains(key) && enumLike(s)) {
          return null;
        }
        // identifiers are data: PII actions, but no injection score
        boolean id = key != null && (key.equals("id") || key.endsWith("_id") || key.equals("server_label"));
        return string(s, id && use == Use.PROMPT ? Use.DATA : use);
      }
      return null;
    }

    JsonNode group(JsonNode value, Node inner) {
      if (group != null) {
        return node(value, inner, Use.PROMPT);
      }
      group = new StringBuilder();
      JsonNode replaced = node(value, inner, Use.PROMPT);
      String unit = group.toString();
      group = null;
      if (problem == null && !unit.isEmpty() && !system) {
        inspector.score(unit);
      }
      return replaced;
    }

    JsonNode message(JsonNode value, Message m) {
      if (!(value instanceof ObjectNode obj)) {
        return refuse("must be an object");
      }
      JsonNode role = obj.get("role");
      if (role != null && !role.isTextual() || m.roles() != null && (role == null || !m.roles().contains(role.textValue()))) {
        path.add("role");
        refuse(m.roles() == null ? "must be a string" : "must be one of " + String.join(", ", m.roles().stream().sorted().toList()));
        path.removeLast();
        return null;
      }
      boolean before = system;
      system = role != null && (role.textValue().equals("system") || role.textValue().equals("developer"));
      object(obj, m.body().fields(), Use.PROMPT);
      system = before;
      return null;
    }

    JsonNode byType(JsonNode value, ByType b) {
      if (!(value instanceof ObjectNode obj)) {
        return refuse("must be an object");
      }
      JsonNode type = obj.get("type");
      if (type != null && !type.isTextual()) {
        path.add("type");
        refuse("must be a string");
        path.removeLast();
        return null;
      }
      String t = type != null ? type.textValue() : obj.has("role") ? "message" : null;
      if (t == null) {
        path.add("type");
        refuse("is required (or a 'role' for a message)");
        path.removeLast();
        return null;
      }
      Node node = b.types().get(t);
      return node(value, node != null ? node : b.other(), Use.PROMPT);
    }

    /** Renames keys the inspector changes, keeping their order; a key that would collide gets a suffix. */
    void renameKeys(ObjectNode obj, Use use) {
      List<String> names = new ArrayList<>(obj.size());
      List<String> renamed = new ArrayList<>(obj.size());
      boolean any = false;
      // keys are scored for injection only as part of a definition (property names of a tool's parameters)
      Use keyUse = group != null ? use : use == Use.PROMPT ? Use.DATA : use;
      for (var it = obj.fieldNames(); it.hasNext(); ) {
        String name = it.next();
        String after = inspectText(name, keyUse);
        names.add(name);
        renamed.add(after);
        any |= !after.equals(name);
      }
      if (!any) {
        return;
      }
      List<JsonNode> values = new ArrayList<>(names.size());
      for (String n : names) {
        values.add(obj.get(n));
      }
      obj.removeAll();
      for (int i = 0; i < names.size(); i++) {
        String key = renamed.get(i);
        for (int n = 2; obj.has(key); n++) {
          key = renamed.get(i) + "#" + n;
        }
        obj.set(key, values.get(i));
      }
      changed = true;
    }

    /** Inspects one string; returns its replacement node when it changed, else null. */
    JsonNode string(String s, Use use) {
      // binary payloads are skipped only when they are what they claim: text dressed as base64 is inspected
      if (use == Use.MODEL || use == Use.BINARY && (base64(s, 0) || dataUrl(s)) || use == Use.URL && dataUrl(s)) {
        return null;
      }
      String after = inspectText(s, use);
      if (after.equals(s)) {
        return null;
      }
      changed = true;
      return TextNode.valueOf(after);
    }

    String inspectText(String s, Use use) {
      if (s.isEmpty()) {
        return s;
      }
      Use effective = use == Use.PROMPT && system ? Use.SYSTEM : use;
      if (effective == Use.PROMPT) {
        if (group != null) {
          group.append(s).append('\n');
        } else {
          inspector.score(s);
        }
      }
      String after = inspector.redact(s);
      if (after == null) {
        throw new IllegalStateException("inspector returned null");
      }
      return after;
    }

    JsonNode refuse(String what) {
      if (problem == null) {
        String param = param();
        problem = new Problem(param, "'" + param + "' " + what + ".");
      }
      return null;
    }

    String param() {
      StringBuilder sb = new StringBuilder();
      for (Object p : path) {
        if (p instanceof Integer i) {
          sb.append('[').append(i).append(']');
        } else {
          sb.append(sb.isEmpty() ? "" : ".").append(p);
        }
      }
      return sb.toString();
    }
  }

  private static boolean enumLike(String s) {
    if (s.isEmpty() || s.length() > 40) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c == '_')) {
        return false;
      }
    }
    return true;
  }

  /** True for {@code data:MEDIA;base64,PAYLOAD} whose payload is well-formed base64. */
  static boolean dataUrl(String s) {
    if (!s.startsWith("data:")) {
      return false;
    }
    int comma = s.indexOf(";base64,");
    if (comma < 0) {
      return false;
    }
    for (int i = 5; i < comma; i++) {
      char c = s.charAt(i);
      if (c <= ' ' || c == ',' || c > '~') {
        return false;
      }
    }
    return base64(s, comma + 8);
  }

  /** True when {@code s} from {@code from} on is standard or URL-safe base64 with optional padding, length 4n. */
  static boolean base64(String s, int from) {
    int n = s.length() - from;
    if (n == 0 || n % 4 != 0) {
      return false;
    }
    int pad = 0;
    for (int i = from; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean alphabet = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/'
          || c == '-' || c == '_';
      if (c == '=' && i >= s.length() - 2) {
        pad++;
      } else if (!alphabet || pad > 0) {
        return false;
      }
    }
    return true;
  }
}
