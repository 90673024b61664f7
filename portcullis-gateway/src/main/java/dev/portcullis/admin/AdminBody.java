package dev.portcullis.admin;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.ext.web.RoutingContext;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * An admin request body, read strictly: a JSON object (or nothing) with no repeated member and no member the endpoint
 * does not define. What breaks that is {@link Malformed} (400, naming the field); a field of the wrong type too.
 * A missing required field is an {@link IllegalArgumentException} (422), like other invalid values.
 */
public final class AdminBody {

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** A body that does not have the endpoint's shape: answered 400. */
  public static final class Malformed extends RuntimeException {
    private final String field;

    Malformed(String field, String message) {
      super(message, null, false, false);
      this.field = field;
    }

    /** The offending member, or null when the body as a whole is wrong. */
    public String field() {
      return field;
    }

    /** Answers the request with this problem. */
    public void send(RoutingContext ctx) {
      AdminAudit.reason(ctx, field == null ? "malformed_body" : "bad_field");
      Problems.send(ctx.response(), 400, "Invalid request", getMessage(),
          field == null ? List.of() : List.of(shorten(field)));
    }
  }

  private final ObjectNode node;

  private AdminBody(ObjectNode node) {
    this.node = node;
  }

  /** Reads the request body, allowing only the {@code fields} named; an empty body is an empty object. */
  public static AdminBody parse(RoutingContext ctx, String... fields) {
    ObjectNode node;
    if (ctx.body() == null || ctx.body().buffer() == null || ctx.body().length() <= 0) {
      node = JSON.createObjectNode();
    } else {
      JsonNode read;
      try {
        read = JSON.readTree(ctx.body().buffer().getBytes());
      } catch (JsonProcessingException e) {
        String why = e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Duplicate field")
            ? "the body repeats a member" : "the body is not valid JSON";
        throw new Malformed(null, why);
      } catch (java.io.IOException e) {
        throw new Malformed(null, "the body is not valid JSON");
      }
      if (!(read instanceof ObjectNode object)) {
        throw new Malformed(null, "the body must be a JSON object");
      }
      node = object;
    }
    Set<String> allowed = Set.of(fields);
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!allowed.contains(name)) {
        throw new Malformed(name, "unknown field '" + shorten(name) + "'" + (fields.length == 0
            ? "; this endpoint takes no body" : "; this endpoint accepts " + String.join(", ", fields)));
      }
    }
    return new AdminBody(node);
  }

  public boolean has(String field) {
    return node.hasNonNull(field);
  }

  /** A required non-blank string. */
  public String string(String field) {
    String value = optionalString(field);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("'" + field + "' is required and must be a string");
    }
    return value;
  }

  /** A string, or null when absent or null. */
  public String optionalString(String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new Malformed(field, "'" + field + "' must be a string");
    }
    return v.asText();
  }

  /** An array of strings, in order without repeats; empty when absent or null. */
  public Set<String> strings(String field) {
    JsonNode v = node.get(field);
    Set<String> out = new LinkedHashSet<>();
    if (v == null || v.isNull()) {
      return out;
    }
    if (!v.isArray()) {
      throw new Malformed(field, "'" + field + "' must be an array of strings");
    }
    for (JsonNode item : v) {
      if (!item.isTextual()) {
        throw new Malformed(field, "'" + field + "' must be an array of strings");
      }
      out.add(item.asText());
    }
    return out;
  }

  /** A whole number, or null when absent or null. */
  public Long wholeNumber(String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw new Malformed(field, "'" + field + "' must be a whole number");
    }
    return v.asLong();
  }

  /** A JSON object, or null when absent or null. */
  public ObjectNode object(String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!(v instanceof ObjectNode object)) {
      throw new Malformed(field, "'" + field + "' must be a JSON object");
    }
    return object;
  }

  private static String shorten(String name) {
    return name.length() <= 64 ? name : name.substring(0, 64) + "…";
  }
}
