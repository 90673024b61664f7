package dev.portcullis.guard.payload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.guard.stream.TextStreamFilter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Applies text stream filters to a streamed chat or text completion, chunk by chunk (parsed SSE {@code data} JSON).
 * Each text channel (a choice's {@code delta.content}, each of its tool calls' {@code function.arguments}, or a
 * completion choice's {@code text}) gets its own filter, so the concatenated content of every channel equals the
 * filter applied to the whole channel text. Held-back text is flushed into the chunk that carries the choice's
 * {@code finish_reason}, or by {@link #finish()} when the stream ends without one. At most {@value #MAX_CHANNELS}
 * channels; more is a malformed stream. One instance per response, one thread.
 */
public final class ChatStreamRewriter {
  public static final int MAX_CHANNELS = 256;

  private record Channel(int choice, int tool) {}

  private final Supplier<TextStreamFilter> filters;
  private final Api api;
  private final Map<Channel, TextStreamFilter> open = new LinkedHashMap<>();
  private ObjectNode template;

  public ChatStreamRewriter(Api api, Supplier<TextStreamFilter> filters) {
    if (api == Api.EMBEDDINGS || api == Api.RESPONSES) {
      throw new IllegalArgumentException(api == Api.EMBEDDINGS ? "embeddings responses are not streamed"
          : "Responses API streams go through ResponsesStreamRewriter");
    }
    this.api = api;
    this.filters = Objects.requireNonNull(filters, "filters");
  }

  /** Rewrites one chunk in place. */
  public void onChunk(ObjectNode chunk) {
    template = chunk;
    if (!(chunk.get("choices") instanceof ArrayNode choices)) {
      return;
    }
    for (JsonNode cn : choices) {
      if (!(cn instanceof ObjectNode c)) {
        continue;
      }
      int index = c.path("index").asInt(0);
      if (api == Api.COMPLETIONS) {
        rewrite(c, "text", new Channel(index, -1));
      } else if (c.get("delta") instanceof ObjectNode delta) {
        rewrite(delta, "content", new Channel(index, -1));
        if (delta.get("tool_calls") instanceof ArrayNode calls) {
          for (JsonNode tn : calls) {
            if (tn instanceof ObjectNode call && call.get("function") instanceof ObjectNode fn) {
              rewrite(fn, "arguments", new Channel(index, call.path("index").asInt(0)));
            }
          }
        }
      }
      JsonNode finish = c.get("finish_reason");
      if (finish != null && !finish.isNull()) {
        flushChoice(c, index);
      }
    }
  }

  /** Ends the stream: chunks carrying text still held back for choices that never finished (usually none). */
  public List<ObjectNode> finish() {
    List<ObjectNode> out = new ArrayList<>();
    for (Channel ch : List.copyOf(open.keySet())) {
      String rest = open.remove(ch).finish();
      if (rest.isEmpty()) {
        continue;
      }
      ObjectNode chunk = JsonNodeFactory.instance.objectNode();
      if (template != null) {
        for (String f : List.of("id", "object", "created", "model", "system_fingerprint")) {
          if (template.has(f)) {
            chunk.set(f, template.get(f));
          }
        }
      }
      ObjectNode c = chunk.putArray("choices").addObject();
      c.put("index", ch.choice());
      append(c, ch, rest);
      c.putNull("finish_reason");
      out.add(chunk);
    }
    return out;
  }

  private void rewrite(ObjectNode holder, String field, Channel ch) {
    JsonNode v = holder.get(field);
    if (v == null || !v.isTextual()) {
      return;
    }
    TextStreamFilter f = open.get(ch);
    if (f == null) {
      if (open.size() >= MAX_CHANNELS) {
        throw new IllegalStateException("more than " + MAX_CHANNELS + " text channels in one stream");
      }
      f = filters.get();
      open.put(ch, f);
    }
    holder.put(field, f.push(v.asText()));
  }

  private void flushChoice(ObjectNode choice, int index) {
    for (Channel ch : List.copyOf(open.keySet())) {
      if (ch.choice() == index) {
        String rest = open.remove(ch).finish();
        if (!rest.isEmpty()) {
          append(choice, ch, rest);
        }
      }
    }
  }

  private void append(ObjectNode choice, Channel ch, String rest) {
    if (api == Api.COMPLETIONS) {
      choice.put("text", choice.path("text").asText("") + rest);
      return;
    }
    ObjectNode delta = choice.get("delta") instanceof ObjectNode d ? d : choice.putObject("delta");
    if (ch.tool() < 0) {
      JsonNode c = delta.get("content");
      delta.put("content", (c != null && c.isTextual() ? c.asText() : "") + rest);
      return;
    }
    ArrayNode calls = delta.get("tool_calls") instanceof ArrayNode a ? a : delta.putArray("tool_calls");
    for (JsonNode n : calls) {
      if (n instanceof ObjectNode call && call.path("index").asInt(0) == ch.tool()) {
        ObjectNode fn = call.get("function") instanceof ObjectNode f ? f : call.putObject("function");
        fn.put("arguments", fn.path("arguments").asText("") + rest);
        return;
      }
    }
    ObjectNode call = calls.addObject();
    call.put("index", ch.tool());
    call.putObject("function").put("arguments", rest);
  }
}
