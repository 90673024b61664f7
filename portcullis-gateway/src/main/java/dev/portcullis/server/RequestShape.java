package dev.portcullis.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.config.Route;
import dev.portcullis.pipeline.ApiError;

/**
 * The fields each route cannot do without, in the shapes the API defines for them, checked before any stage runs so
 * that no stage meets a missing, null or mistyped one: chat {@code messages} (a non-empty array of objects with a
 * string {@code role}), completions {@code prompt} and embeddings {@code input} (a string, or a non-empty array of
 * strings, of token ids, or of arrays of token ids), Responses {@code input} (a string or an array of items; absent
 * only with a stored {@code prompt}). Deeper shapes are the input guards' to check.
 */
final class RequestShape {

  private RequestShape() {}

  /** The 400 error for this body, or null when its required fields have a shape the API defines. */
  static ApiError check(Route route, ObjectNode body) {
    return switch (route) {
      case CHAT_COMPLETIONS -> messages(body.get("messages"));
      case COMPLETIONS -> prompts(body.get("prompt"), "prompt");
      case EMBEDDINGS -> prompts(body.get("input"), "input");
      case RESPONSES -> responsesInput(body);
      case MODELS -> null;
    };
  }

  private static ApiError messages(JsonNode messages) {
    if (messages == null || messages.isNull()) {
      return missing("messages");
    }
    if (!messages.isArray() || messages.isEmpty()) {
      return invalid("messages", "must be a non-empty array of message objects");
    }
    for (JsonNode message : messages) {
      if (!message.isObject() || !message.path("role").isTextual()) {
        return invalid("messages", "must be a non-empty array of message objects, each with a string 'role'");
      }
    }
    return null;
  }

  /** Text or token ids: a string, or a non-empty array of strings, of integers, or of arrays of integers. */
  private static ApiError prompts(JsonNode value, String name) {
    if (value == null || value.isNull()) {
      return missing(name);
    }
    if (value.isTextual()) {
      return null;
    }
    String shape = "must be a string, or a non-empty array of strings, of token ids, or of arrays of token ids";
    if (!value.isArray() || value.isEmpty()) {
      return invalid(name, shape);
    }
    JsonNode first = value.get(0);
    for (JsonNode item : value) {
      boolean same = first.isTextual() ? item.isTextual()
          : first.isIntegralNumber() ? item.isIntegralNumber()
          : first.isArray() && item.isArray() && !item.isEmpty() && allIntegral(item);
      if (!same) {
        return invalid(name, shape);
      }
    }
    return null;
  }

  private static boolean allIntegral(JsonNode array) {
    for (JsonNode item : array) {
      if (!item.isIntegralNumber()) {
        return false;
      }
    }
    return true;
  }

  private static ApiError responsesInput(ObjectNode body) {
    JsonNode input = body.get("input");
    if (input == null || input.isNull()) {
      return body.path("prompt").isObject() ? null : missing("input");
    }
    if (input.isTextual()) {
      return null;
    }
    if (!input.isArray()) {
      return invalid("input", "must be a string or an array of input items");
    }
    for (JsonNode item : input) {
      if (!item.isObject()) {
        return invalid("input", "must be a string or an array of input items (objects)");
      }
    }
    return null;
  }

  private static ApiError missing(String name) {
    return ApiError.invalidRequest("You must provide a '" + name + "' parameter.", name, "missing_required_parameter");
  }

  private static ApiError invalid(String name, String shape) {
    return ApiError.invalidRequest("'" + name + "' " + shape + ".", name, "invalid_type");
  }
}
