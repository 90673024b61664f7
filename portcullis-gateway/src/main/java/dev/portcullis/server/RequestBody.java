package dev.portcullis.server;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.config.Route;
import dev.portcullis.pipeline.ApiError;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads a request body into the one document every stage inspects and the upstream receives (the forwarder
 * re-serialises it; the client's bytes never go upstream). Refuses what two JSON readers could read differently
 * (ADR 0010): a key repeated in one object, at any depth; two keys of one object that differ only in case; a key
 * that differs only in case from a field the API defines for that object (top level, chat messages, Responses input
 * items), which an upstream that matches names case-insensitively would read while the guards do not; a number
 * that does not fit a double; text after the document. Then {@link RequestShape} checks the fields each route needs.
 */
final class RequestBody {

  /** The outcome: a body to run the pipeline on, or the 400 to answer. */
  sealed interface Parsed permits Accepted, Refused {}

  record Accepted(ObjectNode body, String model, boolean stream) implements Parsed {}

  record Refused(ApiError error) implements Parsed {}

  private static final ObjectReader READER = new ObjectMapper().reader()
      .with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** Top-level fields of the four request schemas (OpenAI's OpenAPI document), folded. */
  private static final Set<String> TOP_LEVEL = Set.of("audio", "background", "best_of", "context_management",
      "conversation", "dimensions", "echo", "encoding_format", "frequency_penalty", "function_call", "functions",
      "include", "input", "instructions", "logit_bias", "logprobs", "max_completion_tokens", "max_output_tokens",
      "max_tokens", "max_tool_calls", "messages", "metadata", "modalities", "model", "moderation", "n",
      "parallel_tool_calls", "prediction", "presence_penalty", "previous_response_id", "prompt", "prompt_cache_key",
      "prompt_cache_options", "prompt_cache_retention", "reasoning", "reasoning_effort", "response_format",
      "safety_identifier", "seed", "service_tier", "stop", "store", "stream", "stream_options", "suffix",
      "temperature", "text", "tool_choice", "tools", "top_logprobs", "top_p", "truncation", "user", "verbosity",
      "web_search_options");

  /** Fields of a chat message and of a Responses input item, folded. */
  private static final Set<String> MESSAGE = Set.of("role", "content", "name", "tool_calls", "tool_call_id",
      "refusal", "function_call", "audio", "type", "id", "status", "call_id", "arguments", "output", "summary",
      "encrypted_content");

  private static final Refused NOT_AN_OBJECT = new Refused(ApiError.invalidRequest("We could not parse the JSON "
      + "body of your request. The body must be a JSON object.", null, "invalid_json"));
  private static final Refused NO_MODEL = new Refused(ApiError.invalidRequest("You must provide a model "
      + "parameter.", "model", "missing_model"));
  private static final Refused BAD_STREAM = new Refused(ApiError.invalidRequest("'stream' must be a boolean.",
      "stream", "invalid_type"));
  private static final Refused BAD_NUMBER = new Refused(ApiError.invalidRequest("A number in the body is out of "
      + "range.", null, "invalid_number"));

  private RequestBody() {}

  static Parsed parse(Route route, Buffer bytes) {
    JsonNode node;
    try {
      node = READER.readTree(bytes.getBytes());
    } catch (StreamReadException e) {
      String duplicate = duplicateName(e);
      return duplicate != null ? duplicateKey(duplicate) : NOT_AN_OBJECT;
    } catch (IOException e) {
      return NOT_AN_OBJECT;
    }
    if (!(node instanceof ObjectNode object)) {
      return NOT_AN_OBJECT;
    }
    Refused refused = checkObject(object, TOP_LEVEL);
    if (refused != null) {
      return refused;
    }
    JsonNode model = object.get("model");
    if (model == null || !model.isTextual() || model.asText().isEmpty()) {
      return NO_MODEL;
    }
    JsonNode stream = object.get("stream");
    if (stream != null && !stream.isBoolean() && !stream.isNull()) {
      return BAD_STREAM;
    }
    ApiError shape = RequestShape.check(route, object);
    if (shape != null) {
      return new Refused(shape);
    }
    return new Accepted(object, model.asText(), stream != null && stream.asBoolean());
  }

  /** Checks one object and everything below it; {@code known} is the object's defined fields, or null. */
  private static Refused checkObject(ObjectNode object, Set<String> known) {
    if (object.size() > 0) {
      Refused keys = checkKeys(object, known);
      if (keys != null) {
        return keys;
      }
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext();) {
      Map.Entry<String, JsonNode> field = it.next();
      Set<String> below = known == TOP_LEVEL && (field.getKey().equals("messages") || field.getKey().equals("input"))
          ? MESSAGE : null;
      Refused refused = check(field.getValue(), below);
      if (refused != null) {
        return refused;
      }
    }
    return null;
  }

  /** {@code itemKnown}: the defined fields of the objects directly in this value when it is an array. */
  private static Refused check(JsonNode node, Set<String> itemKnown) {
    if (node.isContainerNode()) {
      if (node instanceof ObjectNode o) {
        return checkObject(o, null);
      }
      for (JsonNode item : node) {
        Refused refused = item instanceof ObjectNode o ? checkObject(o, itemKnown) : check(item, null);
        if (refused != null) {
          return refused;
        }
      }
    } else if (node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue())) {
      return BAD_NUMBER;
    }
    return null;
  }

  /**
   * Keys that are plain lower-case ASCII cannot be a case variant of anything: the common case costs one scan of
   * each key. Only an object with another key does the folded comparison.
   */
  private static Refused checkKeys(ObjectNode object, Set<String> known) {
    java.util.HashSet<String> folded = null;
    for (Iterator<String> it = object.fieldNames(); it.hasNext();) {
      String key = it.next();
      if (plain(key)) {
        if (folded != null) {
          if (!folded.add(key)) {
            return caseVariant(key);
          }
        }
        continue;
      }
      String fold = fold(key);
      if (known != null && known.contains(fold)) {
        return caseVariant(key);
      }
      if (folded == null) {
        folded = new java.util.HashSet<>();
        for (Iterator<String> all = object.fieldNames(); all.hasNext();) {
          String other = all.next();
          if (other.equals(key)) {
            break;
          }
          folded.add(plain(other) ? other : fold(other));
        }
      }
      if (!folded.add(fold)) {
        return caseVariant(key);
      }
    }
    return null;
  }

  private static boolean plain(String key) {
    for (int i = 0, n = key.length(); i < n; i++) {
      char c = key.charAt(i);
      if (c >= 0x80 || (c >= 'A' && c <= 'Z')) {
        return false;
      }
    }
    return true;
  }

  /** Case folding as a case-insensitive reader would do it (both directions: 'ſ' and 'K' (Kelvin) fold too). */
  private static String fold(String key) {
    return key.toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT);
  }

  private static String duplicateName(StreamReadException e) {
    String message = e.getOriginalMessage();
    if (message == null || !message.startsWith("Duplicate field '")) {
      return null;
    }
    int end = message.indexOf('\'', 17);
    return end < 0 ? "" : message.substring(17, end);
  }

  private static Refused duplicateKey(String name) {
    return new Refused(ApiError.invalidRequest("The body repeats the key '" + clip(name) + "' in one object.",
        clip(name), "duplicate_key"));
  }

  private static Refused caseVariant(String name) {
    return new Refused(ApiError.invalidRequest("The body has the key '" + clip(name) + "', which differs only in "
        + "case from another key or a defined field; keys must be spelled exactly once.", clip(name),
        "case_variant_key"));
  }

  /** Keys are echoed in errors: bounded, so that a huge key does not make a huge answer. */
  private static String clip(String name) {
    return name.length() <= 64 ? name : name.substring(0, 64) + "…";
  }
}
