package dev.portcullis.guard.payload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.guard.stream.TextStreamFilter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Applies text stream filters to a streamed Responses API answer, event by event (parsed SSE {@code data} JSON).
 *
 * <p>Each text stream — an output item's content part ({@code output_text}, {@code refusal}), its function-call
 * arguments or custom-tool input, a reasoning summary or reasoning text part, MCP call arguments, interpreter
 * code — gets its own filter, keyed by {@code output_index} and the field's place in the item, so the concatenated
 * deltas of every stream equal the filter applied to the whole text. Held-back text is sent as one more delta event
 * right before the event that closes the stream ({@code *.done}, {@code content_part.done}, {@code output_item.done},
 * {@code response.completed}/{@code incomplete}/{@code failed}), or by {@link #finish()}. The full texts in those
 * closing events are replaced by what was streamed, so they always equal the concatenated filtered deltas; a text
 * that only appears in a closing event is filtered whole. Texts in snapshots ({@code output_item.added},
 * {@code content_part.added}, {@code response.created}/{@code in_progress}) are filtered whole.
 *
 * <p>Every other string of every event is inspected whole ({@link WholeTexts}): identifiers, names (a function
 * call's {@code name}), annotations, errors, fields of events and items the API does not define and their keys
 * ({@link OutputTexts}); the fields of a response object that repeat the request ({@code instructions},
 * {@code tools}, …) go through the caller's {@code echo} function instead. Log probabilities are removed.
 *
 * <p>{@code sequence_number}s are renumbered so that they stay consecutive around inserted events. A delta after
 * its stream was closed, or more than {@value #MAX_CHANNELS} streams, is a malformed stream
 * ({@link IllegalStateException}). One instance per response, one thread.
 */
public final class ResponsesStreamRewriter {
  public static final int MAX_CHANNELS = 256;

  /** A delta event family: its type prefix, and where its text lives in the item. */
  private enum Kind {
    OUTPUT_TEXT("response.output_text", "content", "content_index", "text"),
    REFUSAL("response.refusal", "content", "content_index", "refusal"),
    FUNCTION_ARGUMENTS("response.function_call_arguments", null, null, "arguments"),
    CUSTOM_TOOL_INPUT("response.custom_tool_call_input", null, null, "input"),
    MCP_ARGUMENTS("response.mcp_call_arguments", null, null, "arguments"),
    REASONING_SUMMARY("response.reasoning_summary_text", "summary", "summary_index", "text"),
    REASONING_TEXT("response.reasoning_text", "content", "content_index", "text"),
    INTERPRETER_CODE("response.code_interpreter_call_code", null, null, "code");

    final String prefix;
    final String array;
    final String indexField;
    final String field;

    Kind(String prefix, String array, String indexField, String field) {
      this.prefix = prefix;
      this.array = array;
      this.indexField = indexField;
      this.field = field;
    }

    /** The field's path inside its item, as {@link ResponsesItems} names it. */
    String rel(JsonNode event) {
      return array == null ? field : array + "[" + event.path(indexField).asInt(0) + "]." + field;
    }
  }

  private static final Map<String, Kind> DELTAS = new HashMap<>();
  private static final Map<String, Kind> DONES = new HashMap<>();

  static {
    for (Kind k : Kind.values()) {
      DELTAS.put(k.prefix + ".delta", k);
      DONES.put(k.prefix + ".done", k);
    }
  }

  private record Key(int output, String rel) {}

  private static final class Channel {
    TextStreamFilter filter;
    /** The last delta event of this stream, for the one that carries the held-back rest. */
    ObjectNode template;
    final StringBuilder emitted = new StringBuilder();
  }

  private final Supplier<TextStreamFilter> filters;
  private final WholeTexts whole;
  private final WholeTexts echo;
  private final UnknownFields unknown;
  private final KnownFields.Node root = KnownFields.root(Api.RESPONSES);
  private final Map<Key, Channel> channels = new LinkedHashMap<>();
  /** The strings of the current event that were inspected already (as text streams, closing or snapshot texts). */
  private final Set<JsonNode> handled = Collections.newSetFromMap(new IdentityHashMap<>());
  private long shift;
  private long lastSequence = -1;

  /** Request echoes are inspected like model text; unknown fields are inspected. */
  public ResponsesStreamRewriter(Supplier<TextStreamFilter> filters) {
    this(filters, null, UnknownFields.INSPECT);
  }

  /**
   * {@code echo} inspects a field of a response object that repeats the request (a whole text; null: like model
   * text).
   */
  public ResponsesStreamRewriter(Supplier<TextStreamFilter> filters, UnaryOperator<String> echo,
      UnknownFields unknown) {
    this.filters = Objects.requireNonNull(filters, "filters");
    this.whole = new WholeTexts(text -> {
      TextStreamFilter f = filters.get();
      String head = f.push(text);
      return head + f.finish();
    });
    this.echo = echo == null ? whole : new WholeTexts(echo);
    this.unknown = Objects.requireNonNull(unknown, "unknown");
  }

  /** Rewrites one event in place; returns the events to send in its place (held-back text first, then it). */
  public List<ObjectNode> onEvent(ObjectNode event) {
    List<ObjectNode> out = new ArrayList<>(1);
    handled.clear();
    if (unknown == UnknownFields.DROP) {
      KnownFields.dropUnknown(event, root);
    }
    String type = event.path("type").asText("");
    int output = event.path("output_index").asInt(0);
    Kind delta = DELTAS.get(type);
    Kind done = DONES.get(type);
    if (delta != null) {
      delta(event, new Key(output, delta.rel(event)));
    } else if (done != null) {
      Key key = new Key(output, done.rel(event));
      flush(out, ch -> ch.equals(key));
      closing(event, done.field, key);
    } else {
      switch (type) {
        case "response.content_part.added", "response.reasoning_summary_part.added" ->
            parts(event, "part", false, null);
        case "response.content_part.done" -> partDone(out, event, output, "content[" + event.path("content_index")
            .asInt(0) + "].");
        case "response.reasoning_summary_part.done" -> partDone(out, event, output, "summary["
            + event.path("summary_index").asInt(0) + "].");
        case "response.output_item.added" -> {
          if (event.get("item") instanceof ObjectNode item) {
            ResponsesItems.output(item,
                (holder, name, rel, role) -> set(holder, name, whole(holder.get(name).asText())));
          }
        }
        case "response.output_item.done" -> {
          flush(out, ch -> ch.output() == output);
          if (event.get("item") instanceof ObjectNode item) {
            items(item, output);
          }
        }
        case "response.completed", "response.incomplete", "response.failed" -> {
          flush(out, ch -> true);
          response(event, true);
        }
        default -> {
          if (type.endsWith(".delta") && event.path("delta").isTextual()) {
            // a text stream of a type not known here (audio transcripts, types added later): filtered all the same
            delta(event, unknownKey(event, output, type));
          } else if (type.endsWith(".done") && !event.has("response")) {
            Key key = unknownKey(event, output, type);
            flush(out, ch -> ch.equals(key));
          } else {
            response(event, false);
          }
        }
      }
    }
    everyOtherString(event);
    out.add(event);
    renumber(out, event);
    return out;
  }

  /** The channel of an unknown text stream: its event type (without {@code .delta}) and item. */
  private static Key unknownKey(ObjectNode event, int output, String type) {
    return new Key(output, "?" + type.substring(0, type.lastIndexOf('.')) + "#" + event.path("item_id").asText(""));
  }

  /** Ends the stream: delta events carrying text still held back for streams that were never closed. */
  public List<ObjectNode> finish() {
    List<ObjectNode> out = new ArrayList<>();
    flush(out, ch -> true);
    for (ObjectNode e : out) {
      if (lastSequence >= 0) {
        e.put("sequence_number", ++lastSequence);
      }
    }
    return out;
  }

  private void delta(ObjectNode event, Key key) {
    JsonNode text = event.get("delta");
    if (text == null || !text.isTextual()) {
      return;
    }
    Channel ch = channels.get(key);
    if (ch == null) {
      if (channels.size() >= MAX_CHANNELS) {
        throw new IllegalStateException("more than " + MAX_CHANNELS + " text streams in one response");
      }
      ch = new Channel();
      ch.filter = filters.get();
      channels.put(key, ch);
    } else if (ch.filter == null) {
      throw new IllegalStateException("a delta arrived after its text was closed");
    }
    String filtered = ch.filter.push(text.asText());
    ch.emitted.append(filtered);
    set(event, "delta", filtered);
    ch.template = event;
  }

  /** Closes the open streams matching {@code which}, adding a delta event for each non-empty rest to {@code out}. */
  private void flush(List<ObjectNode> out, Predicate<Key> which) {
    for (Map.Entry<Key, Channel> e : channels.entrySet()) {
      Channel ch = e.getValue();
      if (ch.filter == null || !which.test(e.getKey())) {
        continue;
      }
      String rest = ch.filter.finish();
      ch.filter = null;
      if (!rest.isEmpty()) {
        ch.emitted.append(rest);
        ObjectNode extra = ch.template.deepCopy();
        extra.put("delta", rest);
        out.add(extra);
      }
    }
  }

  /** Sets {@code holder.field} to the final text of {@code key}: what was streamed, or the whole text filtered. */
  private void closing(ObjectNode holder, String field, Key key) {
    Channel ch = channels.get(key);
    if (ch != null) {
      set(holder, field, ch.emitted.toString());
      return;
    }
    JsonNode text = holder.get(field);
    if (text == null || !text.isTextual()) {
      return;
    }
    if (channels.size() >= MAX_CHANNELS) {
      throw new IllegalStateException("more than " + MAX_CHANNELS + " text streams in one response");
    }
    ch = new Channel();
    ch.emitted.append(whole(text.asText()));
    channels.put(key, ch);
    set(holder, field, ch.emitted.toString());
  }

  private void partDone(List<ObjectNode> out, ObjectNode event, int output, String prefix) {
    flush(out, ch -> ch.output() == output && ch.rel().startsWith(prefix));
    parts(event, "part", true, new Key(output, prefix));
  }

  /** A content or summary part: closing (final texts under {@code base}) or a snapshot. */
  private void parts(ObjectNode event, String name, boolean closing, Key base) {
    if (!(event.get(name) instanceof ObjectNode part)) {
      return;
    }
    for (String field : List.of("text", "refusal")) {
      if (!part.path(field).isTextual()) {
        continue;
      }
      if (closing) {
        closing(part, field, new Key(base.output(), base.rel() + field));
      } else {
        set(part, field, whole(part.get(field).asText()));
      }
    }
  }

  private void items(ObjectNode item, int output) {
    ResponsesItems.output(item, (holder, name, rel, role) -> closing(holder, name, new Key(output, rel)));
  }

  /** The response object of a lifecycle event: final texts when it is the last one, else a snapshot. */
  private void response(ObjectNode event, boolean last) {
    if (!(event.get("response") instanceof ObjectNode response)
        || !(response.get("output") instanceof ArrayNode output)) {
      return;
    }
    for (int i = 0; i < output.size(); i++) {
      if (output.get(i) instanceof ObjectNode item) {
        if (last) {
          items(item, i);
        } else {
          ResponsesItems.output(item,
              (holder, name, rel, role) -> set(holder, name, whole(holder.get(name).asText())));
        }
      }
    }
    if (response.path("output_text").isTextual()) {
      set(response, "output_text", PayloadTexts.outputText(response));
    }
  }

  /** Sets a text that is inspected already, so that {@link #everyOtherString} leaves it alone. */
  private void set(ObjectNode holder, String field, String text) {
    holder.put(field, text);
    handled.add(holder.get(field));
  }

  /** Every string of the event not inspected as a text stream, closing or snapshot text: inspected whole. */
  private void everyOtherString(ObjectNode event) {
    OutputTexts.Strings model = (text, path) -> whole.apply(text);
    OutputTexts.Strings request = (text, path) -> echo.apply(text);
    for (Iterator<Map.Entry<String, JsonNode>> it = event.properties().iterator(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals("response") && e.getValue() instanceof ObjectNode response) {
        KnownFields.Node known = root.child("response");
        for (Iterator<Map.Entry<String, JsonNode>> r = response.properties().iterator(); r.hasNext(); ) {
          Map.Entry<String, JsonNode> f = r.next();
          OutputTexts.property(r, f, known, null, OutputTexts.ECHOED.contains(f.getKey()) ? request : model,
              handled);
        }
      } else {
        OutputTexts.property(it, e, root, null, model, handled);
      }
    }
  }

  private String whole(String text) {
    return whole.apply(text);
  }

  /** Keeps sequence numbers consecutive: inserted events take the next numbers, later events shift. */
  private void renumber(List<ObjectNode> out, ObjectNode event) {
    JsonNode seq = event.get("sequence_number");
    if (seq == null || !seq.canConvertToLong()) {
      return;
    }
    long first = seq.asLong() + shift;
    shift += out.size() - 1;
    for (int i = 0; i < out.size(); i++) {
      out.get(i).put("sequence_number", first + i);
    }
    lastSequence = first + out.size() - 1;
  }
}
