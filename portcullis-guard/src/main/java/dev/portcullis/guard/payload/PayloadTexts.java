package dev.portcullis.guard.payload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Objects;

/**
 * Finds and rewrites the text fields of OpenAI-compatible request and whole-response bodies (parsed with Jackson) in
 * place, so one guard call covers chat messages of every role (including tool-call arguments and tool results),
 * completion prompts and embeddings inputs, and response contents and tool-call arguments.
 */
public final class PayloadTexts {
  private PayloadTexts() {}

  /** Rewrites every text of a request body; returns whether anything changed. */
  public static boolean rewriteRequest(JsonNode body, Api api, TextRewriter rewriter) {
    Objects.requireNonNull(rewriter, "rewriter");
    if (!(body instanceof ObjectNode root)) {
      return false;
    }
    boolean changed = false;
    switch (api) {
      case CHAT_COMPLETIONS -> {
        JsonNode messages = root.get("messages");
        if (messages instanceof ArrayNode arr) {
          for (int i = 0; i < arr.size(); i++) {
            if (arr.get(i) instanceof ObjectNode m) {
              changed |= message(m, "messages[" + i + "]", rewriter);
            }
          }
        }
      }
      case COMPLETIONS -> changed |= stringOrStrings(root, "prompt", "", rewriter);
      case EMBEDDINGS -> changed |= stringOrStrings(root, "input", "", rewriter);
    }
    return changed;
  }

  /** Rewrites every text of a whole (non-streamed) response body; returns whether anything changed. */
  public static boolean rewriteResponse(JsonNode body, Api api, TextRewriter rewriter) {
    if (!(body instanceof ObjectNode root) || !(root.get("choices") instanceof ArrayNode choices)) {
      return false;
    }
    boolean changed = false;
    for (int i = 0; i < choices.size(); i++) {
      if (!(choices.get(i) instanceof ObjectNode c)) {
        continue;
      }
      if (api == Api.COMPLETIONS) {
        changed |= field(c, "text", "assistant", "choices[" + i + "].text", rewriter);
      } else if (c.get("message") instanceof ObjectNode m) {
        changed |= message(m, "choices[" + i + "].message", rewriter);
      }
    }
    return changed;
  }

  /** Appends {@code text} to the first system (or developer) message, adding one at the front when there is none. */
  public static void appendToSystemPrompt(ObjectNode chatRequest, String text) {
    JsonNode messages = chatRequest.get("messages");
    if (!(messages instanceof ArrayNode arr)) {
      throw new IllegalArgumentException("chat request has no messages array");
    }
    for (JsonNode n : arr) {
      if (n instanceof ObjectNode m && (m.path("role").asText().equals("system") || m.path("role").asText().equals("developer"))) {
        JsonNode content = m.get("content");
        if (content != null && content.isTextual()) {
          m.put("content", content.asText() + "\n\n" + text);
          return;
        }
        if (content instanceof ArrayNode parts) {
          parts.addObject().put("type", "text").put("text", text);
          return;
        }
      }
    }
    ObjectNode sys = arr.insertObject(0);
    sys.put("role", "system");
    sys.put("content", text);
  }

  private static boolean message(ObjectNode m, String path, TextRewriter r) {
    String role = m.path("role").asText("");
    boolean changed = false;
    JsonNode content = m.get("content");
    if (content != null && content.isTextual()) {
      changed |= field(m, "content", role, path + ".content", r);
    } else if (content instanceof ArrayNode parts) {
      for (int p = 0; p < parts.size(); p++) {
        if (parts.get(p) instanceof ObjectNode part && part.path("text").isTextual()) {
          changed |= field(part, "text", role, path + ".content[" + p + "].text", r);
        }
      }
    }
    if (m.get("tool_calls") instanceof ArrayNode calls) {
      for (int t = 0; t < calls.size(); t++) {
        if (calls.get(t).get("function") instanceof ObjectNode fn) {
          changed |= field(fn, "arguments", role, path + ".tool_calls[" + t + "].function.arguments", r);
        }
      }
    }
    if (m.get("function_call") instanceof ObjectNode fn) {
      changed |= field(fn, "arguments", role, path + ".function_call.arguments", r);
    }
    return changed;
  }

  private static boolean stringOrStrings(ObjectNode o, String name, String role, TextRewriter r) {
    JsonNode v = o.get(name);
    if (v != null && v.isTextual()) {
      return field(o, name, role, name, r);
    }
    boolean changed = false;
    if (v instanceof ArrayNode arr) {
      for (int i = 0; i < arr.size(); i++) {
        if (arr.get(i).isTextual()) {
          String before = arr.get(i).asText();
          String after = r.rewrite(before, role, name + "[" + i + "]");
          if (!before.equals(after)) {
            arr.set(i, TextNode.valueOf(after));
            changed = true;
          }
        }
      }
    }
    return changed;
  }

  private static boolean field(ObjectNode o, String name, String role, String path, TextRewriter r) {
    JsonNode v = o.get(name);
    if (v == null || !v.isTextual()) {
      return false;
    }
    String before = v.asText();
    String after = r.rewrite(before, role, path);
    if (after == null) {
      throw new IllegalStateException("rewriter returned null for " + path);
    }
    if (!before.equals(after)) {
      o.put(name, after);
      return true;
    }
    return false;
  }
}
