package dev.portcullis.guard.payload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The system-prompt helpers of canary insertion and leak detection, and the Responses API's {@code output_text}.
 * Requests are walked by {@link RequestTexts}, answers by {@link OutputTexts}.
 */
public final class PayloadTexts {
  private PayloadTexts() {}

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
}
