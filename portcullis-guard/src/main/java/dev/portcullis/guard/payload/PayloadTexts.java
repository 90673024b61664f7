package dev.portcullis.guard.payload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Finds and rewrites the text fields of OpenAI-compatible whole-response bodies (parsed with Jackson) in place:
 * response contents and tool-call arguments, completion texts and Responses API output items; and the system-prompt
 * helpers of canary insertion. Requests are walked by {@link RequestTexts}.
 */
public final class PayloadTexts {
  private PayloadTexts() {}

  /** Rewrites every text of a whole (non-streamed) response body; returns whether anything changed. */
  public static boolean rewriteResponse(JsonNode body, Api api, TextRewriter rewriter) {
    if (api == Api.RESPONSES) {
      return body instanceof ObjectNode root && responsesResponse(root, rewriter);
    }
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

  /** Appends {@code text} to a Responses API request's {@code instructions}, creating them when absent. */
  public static void appendToInstructions(ObjectNode responsesRequest, String text) {
    JsonNode current = responsesRequest.get("instructions");
    boolean empty = current == null || current.isNull() || current.asText().isEmpty();
    responsesRequest.put("instructions", empty ? text : current.asText() + "\n\n" + text);
  }

  /**
   * The system prompt of a request, for leak detection: system and developer messages (chat and Responses input),
   * and Responses {@code instructions}; one line break after each.
   */
  public static String systemPrompt(JsonNode body, Api api) {
    StringBuilder sb = new StringBuilder();
    if (api == Api.RESPONSES && body.path("instructions").isTextual()) {
      sb.append(body.get("instructions").asText()).append('\n');
    }
    JsonNode messages = api == Api.RESPONSES ? body.path("input") : body.path("messages");
    if (api != Api.CHAT_COMPLETIONS && api != Api.RESPONSES || !messages.isArray()) {
      return sb.toString();
    }
    for (JsonNode m : messages) {
      String role = m.path("role").asText();
      if (role.equals("system") || role.equals("developer")) {
        JsonNode content = m.path("content");
        if (content.isTextual()) {
          sb.append(content.asText()).append('\n');
        } else {
          content.forEach(part -> sb.append(part.path("text").asText()).append('\n'));
        }
      }
    }
    return sb.toString();
  }

  private static boolean responsesResponse(ObjectNode root, TextRewriter r) {
    boolean changed = false;
    if (root.get("output") instanceof ArrayNode items) {
      for (int i = 0; i < items.size(); i++) {
        if (items.get(i) instanceof ObjectNode item) {
          String path = "output[" + i + "].";
          boolean[] c = {false};
          ResponsesItems.output(item, (holder, name, rel, role) -> c[0] |= field(holder, name, role, path + rel, r));
          changed |= c[0];
        }
      }
    }
    if (changed && root.path("output_text").isTextual()) {
      root.put("output_text", outputText(root));
    }
    return changed;
  }

  /** The SDKs' convenience {@code output_text}: every {@code output_text} part of every message, in order. */
  static String outputText(ObjectNode response) {
    StringBuilder sb = new StringBuilder();
    for (JsonNode item : response.path("output")) {
      if (item.path("type").asText().equals("message")) {
        for (JsonNode part : item.path("content")) {
          if (part.path("type").asText().equals("output_text")) {
            sb.append(part.path("text").asText());
          }
        }
      }
    }
    return sb.toString();
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
