package dev.portcullis.guard.payload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.portcullis.guard.stream.TextStreamFilter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Applies text stream filters to a streamed chat or text completion, chunk by chunk (parsed SSE {@code data} JSON).
 *
 * <p>Every string under a choice is a text channel of its own, keyed by the choice's {@code index} and the string's
 * place (tool calls by their {@code index}): {@code delta.content}, {@code delta.refusal}, reasoning
 * ({@code reasoning_content}, {@code reasoning}), {@code delta.audio.transcript}, each tool call's
 * {@code function.name} and {@code function.arguments}, a completion's {@code text}, and any field the API does not
 * define. So the concatenated text of every channel equals the filter applied to the channel's whole text. Held-back
 * text is flushed into the chunk that carries the choice's {@code finish_reason}, or by {@link #finish()} when the
 * stream ends without one. Identifiers and enums ({@code role}, tool-call {@code id} and {@code type},
 * {@code finish_reason}), strings outside choices ({@code id}, {@code model}, …), strings directly in arrays and the
 * keys of unknown fields are inspected whole in every chunk ({@link WholeTexts}). Log probabilities are removed
 * ({@link OutputTexts}). At most {@value #MAX_CHANNELS} channels; more is a malformed stream. One instance per
 * response, one thread.
 */
public final class ChatStreamRewriter {
  public static final int MAX_CHANNELS = 256;
  /** Fields under a choice that name or classify rather than carry text: inspected whole in each chunk. */
  private static final Set<String> WHOLE = Set.of("role", "type", "id", "finish_reason", "index");

  /** The place of a tool call in a channel's path: its {@code index} field, not its array position. */
  private record Tool(int index) {}

  /** A text channel: a choice, and the string's path under it (field names, array positions, {@link Tool}s). */
  private record Channel(int choice, List<Object> path) {}

  private final Supplier<TextStreamFilter> filters;
  private final WholeTexts whole;
  private final KnownFields.Node root;
  private final UnknownFields unknown;
  private final Map<Channel, TextStreamFilter> open = new LinkedHashMap<>();
  private ObjectNode template;

  public ChatStreamRewriter(Api api, Supplier<TextStreamFilter> filters) {
    this(api, filters, UnknownFields.INSPECT);
  }

  public ChatStreamRewriter(Api api, Supplier<TextStreamFilter> filters, UnknownFields unknown) {
    if (api == Api.EMBEDDINGS || api == Api.RESPONSES) {
      throw new IllegalArgumentException(api == Api.EMBEDDINGS ? "embeddings responses are not streamed"
          : "Responses API streams go through ResponsesStreamRewriter");
    }
    this.filters = Objects.requireNonNull(filters, "filters");
    this.whole = new WholeTexts(text -> {
      TextStreamFilter f = filters.get();
      String head = f.push(text);
      return head + f.finish();
    });
    this.root = KnownFields.root(api);
    this.unknown = Objects.requireNonNull(unknown, "unknown");
  }

  /** Rewrites one chunk in place. */
  public void onChunk(ObjectNode chunk) {
    template = chunk;
    if (unknown == UnknownFields.DROP) {
      KnownFields.dropUnknown(chunk, root);
    }
    OutputTexts.Strings perEvent = (text, path) -> whole.apply(text);
    for (Iterator<Map.Entry<String, JsonNode>> it = chunk.properties().iterator(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals("choices") && e.getValue() instanceof ArrayNode choices) {
        KnownFields.Node known = root.child("choices").items();
        for (int i = 0; i < choices.size(); i++) {
          if (choices.get(i) instanceof ObjectNode c) {
            choice(c, known);
          } else if (choices.get(i).isTextual()) {
            choices.set(i, TextNode.valueOf(whole.apply(choices.get(i).asText())));
          } else {
            OutputTexts.value(choices.get(i), null, null, perEvent, Set.of());
          }
        }
      } else {
        OutputTexts.property(it, e, root, null, perEvent, Set.of());
      }
    }
  }

  private void choice(ObjectNode c, KnownFields.Node known) {
    int index = c.path("index").asInt(0);
    walk(c, known, index, new ArrayList<>(4));
    JsonNode finish = c.get("finish_reason");
    if (finish != null && !finish.isNull()) {
      flushChoice(c, index);
    }
  }

  /** Every string below {@code o}: channels, except identifiers, array strings and free keys (whole). */
  private void walk(ObjectNode o, KnownFields.Node known, int choice, List<Object> path) {
    for (Iterator<Map.Entry<String, JsonNode>> it = o.properties().iterator(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = e.getKey();
      if (known == null || !known.defines(key)) {
        if (!whole.apply(key).equals(key)) {
          it.remove();
          continue;
        }
      }
      JsonNode value = e.getValue();
      KnownFields.Node child = known == null ? null : known.child(key);
      if (key.equals("logprobs") && !value.isNull() && !value.isMissingNode()) {
        e.setValue(value.isArray() ? ((ArrayNode) value).arrayNode() : NullNode.getInstance());
      } else if (value.isTextual()) {
        if (WHOLE.contains(key)) {
          e.setValue(TextNode.valueOf(whole.apply(value.asText())));
        } else {
          path.add(key);
          e.setValue(TextNode.valueOf(push(new Channel(choice, List.copyOf(path)), value.asText())));
          path.removeLast();
        }
      } else if (value instanceof ObjectNode child0) {
        path.add(key);
        walk(child0, child, choice, path);
        path.removeLast();
      } else if (value instanceof ArrayNode a) {
        KnownFields.Node items = child == null ? null : child.items();
        path.add(key);
        for (int i = 0; i < a.size(); i++) {
          JsonNode item = a.get(i);
          if (item instanceof ObjectNode io) {
            path.add(key.equals("tool_calls") ? new Tool(io.path("index").asInt(i)) : (Object) i);
            walk(io, items, choice, path);
            path.removeLast();
          } else if (item.isTextual()) {
            a.set(i, TextNode.valueOf(whole.apply(item.asText())));
          } else {
            OutputTexts.value(item, null, null, (text, p) -> whole.apply(text), Set.of());
          }
        }
        path.removeLast();
      }
    }
  }

  private String push(Channel ch, String text) {
    TextStreamFilter f = open.get(ch);
    if (f == null) {
      if (open.size() >= MAX_CHANNELS) {
        throw new IllegalStateException("more than " + MAX_CHANNELS + " text channels in one stream");
      }
      f = filters.get();
      open.put(ch, f);
    }
    return f.push(text);
  }

  /** Ends the stream: chunks carrying text still held back for choices that never finished (usually none). */
  public List<ObjectNode> finish() {
    List<ObjectNode> out = new ArrayList<>();
    Map<Integer, ObjectNode> chunks = new LinkedHashMap<>();
    for (Channel ch : List.copyOf(open.keySet())) {
      String rest = open.remove(ch).finish();
      if (rest.isEmpty()) {
        continue;
      }
      ObjectNode c = chunks.computeIfAbsent(ch.choice(), i -> {
        ObjectNode chunk = JsonNodeFactory.instance.objectNode();
        if (template != null) {
          for (String f : List.of("id", "object", "created", "model", "system_fingerprint")) {
            if (template.has(f)) {
              chunk.set(f, template.get(f));
            }
          }
        }
        out.add(chunk);
        ObjectNode choice = chunk.putArray("choices").addObject();
        choice.put("index", i);
        return choice;
      });
      append(c, ch.path(), rest);
    }
    for (ObjectNode chunk : out) {
      ((ObjectNode) chunk.get("choices").get(0)).putNull("finish_reason");
    }
    return out;
  }

  private void flushChoice(ObjectNode choice, int index) {
    for (Channel ch : List.copyOf(open.keySet())) {
      if (ch.choice() == index) {
        String rest = open.remove(ch).finish();
        if (!rest.isEmpty()) {
          append(choice, ch.path(), rest);
        }
      }
    }
  }

  /** Appends {@code rest} to the string at {@code path} under {@code choice}, creating what is missing. */
  private static void append(ObjectNode choice, List<Object> path, String rest) {
    JsonNode cur = choice;
    for (int i = 0; i < path.size() - 1; i++) {
      Object seg = path.get(i);
      Object next = path.get(i + 1);
      if (seg instanceof String field) {
        ObjectNode o = (ObjectNode) cur;
        JsonNode child = o.get(field);
        if (next instanceof String) {
          cur = child instanceof ObjectNode ? child : o.putObject(field);
        } else {
          cur = child instanceof ArrayNode ? child : o.putArray(field);
        }
      } else if (seg instanceof Tool tool) {
        ArrayNode a = (ArrayNode) cur;
        JsonNode found = null;
        for (JsonNode n : a) {
          if (n instanceof ObjectNode call && call.path("index").asInt(-1) == tool.index()) {
            found = call;
            break;
          }
        }
        cur = found != null ? found : a.addObject().put("index", tool.index());
      } else {
        ArrayNode a = (ArrayNode) cur;
        int position = (Integer) seg;
        while (a.size() <= position) {
          a.addObject();
        }
        if (!(a.get(position) instanceof ObjectNode)) {
          a.set(position, a.objectNode());
        }
        cur = a.get(position);
      }
    }
    ObjectNode holder = (ObjectNode) cur;
    String field = (String) path.getLast();
    JsonNode existing = holder.get(field);
    holder.put(field, (existing != null && existing.isTextual() ? existing.asText() : "") + rest);
  }
}
