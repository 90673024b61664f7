package dev.portcullis.guard.payload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The text fields of Responses API output items ({@code output[]} of a response), found in one place so that whole
 * responses and streams agree on what is text (requests: {@link RequestTexts}).
 *
 * <ul>
 *   <li>{@code message}: {@code content} as a string, or parts whose {@code text} (input_text, output_text,
 *       reasoning parts) or {@code refusal} is a string; images, files and audio are left alone.
 *   <li>{@code function_call} {@code arguments}, {@code custom_tool_call} {@code input}, and the {@code output} of
 *       {@code function_call_output} / {@code custom_tool_call_output} (a string or parts, as messages).
 *   <li>{@code reasoning}: {@code summary[].text} and {@code content[].text}; never {@code encrypted_content}.
 *   <li>Any other item (MCP calls, shell, computer use, file and web search, code interpreter, image generation,
 *       patches, and types added later): every string in it except identifiers, enums and binary payloads
 *       ({@link #NOT_TEXT}), so a new item type is inspected rather than let through.
 * </ul>
 */
final class ResponsesItems {
  private ResponsesItems() {}

  /** One text field: {@code rel} is its path inside the item, e.g. {@code content[0].text}, {@code arguments}. */
  @FunctionalInterface
  interface Visitor {
    void text(ObjectNode holder, String field, String rel, String role);
  }

  /** Keys of other items that are identifiers, enums or binary data, never text a person or model wrote. */
  private static final Set<String> NOT_TEXT = Set.of("type", "id", "call_id", "item_id", "name", "status", "role",
      "server_label", "approval_request_id", "encrypted_content", "result", "image_url", "file_id", "file_data",
      "file_url", "container_id", "url", "annotations", "logprobs");
  private static final Map<String, String> TOOL_FIELD = Map.of("function_call", "arguments",
      "custom_tool_call", "input", "function_call_output", "output", "custom_tool_call_output", "output");

  /** Every text of a response's {@code output} item (the model's, so role {@code assistant}). */
  static void output(ObjectNode item, Visitor v) {
    walk(item, "assistant", v);
  }

  private static void walk(ObjectNode item, String defaultRole, Visitor v) {
    String type = item.path("type").asText(item.has("role") ? "message" : "");
    if (type.equals("message")) {
      String role = item.path("role").asText(defaultRole);
      content(item, "content", role, v);
    } else if (TOOL_FIELD.containsKey(type)) {
      String role = type.endsWith("_output") ? "tool" : "assistant";
      content(item, TOOL_FIELD.get(type), role, v);
    } else if (type.equals("reasoning")) {
      parts(item, "summary", "assistant", v);
      parts(item, "content", "assistant", v);
    } else {
      leaves(item, "", type.endsWith("_output") ? "tool" : "assistant", v);
    }
  }

  /** A string field, or an array of parts. */
  private static void content(ObjectNode holder, String field, String role, Visitor v) {
    JsonNode value = holder.get(field);
    if (value != null && value.isTextual()) {
      v.text(holder, field, field, role);
    } else if (value instanceof ArrayNode) {
      parts(holder, field, role, v);
    }
  }

  private static void parts(ObjectNode holder, String field, String role, Visitor v) {
    if (!(holder.get(field) instanceof ArrayNode parts)) {
      return;
    }
    for (int p = 0; p < parts.size(); p++) {
      if (parts.get(p) instanceof ObjectNode part) {
        for (String name : List.of("text", "refusal")) {
          if (part.path(name).isTextual()) {
            v.text(part, name, field + "[" + p + "]." + name, role);
          }
        }
      }
    }
  }

  private static void leaves(ObjectNode node, String prefix, String role, Visitor v) {
    for (var it = node.properties().iterator(); it.hasNext(); ) {
      var e = it.next();
      if (NOT_TEXT.contains(e.getKey())) {
        continue;
      }
      String rel = prefix + e.getKey();
      JsonNode value = e.getValue();
      if (value.isTextual()) {
        v.text(node, e.getKey(), rel, role);
      } else if (value instanceof ObjectNode o) {
        leaves(o, rel + ".", role, v);
      } else if (value instanceof ArrayNode a) {
        for (int i = 0; i < a.size(); i++) {
          if (a.get(i) instanceof ObjectNode o) {
            leaves(o, rel + "[" + i + "].", role, v);
          } else if (a.get(i).isTextual()) {
            String before = a.get(i).asText();
            // strings in arrays (e.g. search queries, shell commands) are rewritten through a one-field holder
            ObjectNode holder = node.objectNode().put("s", before);
            v.text(holder, "s", rel + "[" + i + "]", role);
            if (!holder.get("s").asText().equals(before)) {
              a.set(i, holder.get("s"));
            }
          }
        }
      }
    }
  }
}
