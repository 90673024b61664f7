package dev.portcullis.forward;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;

/**
 * Finds the token usage an upstream reports, without holding the response: whole JSON bodies are fed through an
 * incremental parser as they pass; in streams only events that carry a {@code "usage": {…}} object are parsed.
 * Understands chat/completions/embeddings ({@code prompt_tokens}, {@code completion_tokens}) and the Responses API
 * ({@code input_tokens}, {@code output_tokens}, also nested in {@code response}). Unknown counts stay -1.
 */
public final class UsageSniffer {

  private static final JsonFactory JSON = new JsonFactory();
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final byte[] USAGE = "\"usage\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  /** Bodies longer than this are not parsed for usage (large embedding batches); counted as unknown. */
  private static final long MAX_BODY_BYTES = 16L * 1024 * 1024;

  private long inputTokens = -1;
  private long outputTokens = -1;
  private JsonParser parser;
  private long fed;
  private boolean broken;
  private int depth;
  private int usageDepth = -1;
  private String field;

  public long inputTokens() {
    return inputTokens;
  }

  public long outputTokens() {
    return outputTokens;
  }

  /** Feeds a chunk of a whole JSON body. Never throws; a body that is not JSON just yields no usage. */
  public void feedBody(Buffer chunk) {
    if (broken) {
      return;
    }
    fed += chunk.length();
    if (fed > MAX_BODY_BYTES) {
      broken = true;
      return;
    }
    try {
      if (parser == null) {
        parser = JSON.createNonBlockingByteArrayParser();
      }
      byte[] bytes = chunk.getBytes();
      ((ByteArrayFeeder) parser.getNonBlockingInputFeeder()).feedInput(bytes, 0, bytes.length);
      JsonToken t;
      while ((t = parser.nextToken()) != null && t != JsonToken.NOT_AVAILABLE) {
        token(t);
      }
    } catch (IOException | RuntimeException e) {
      broken = true;
    }
  }

  private void token(JsonToken t) throws IOException {
    switch (t) {
      case START_OBJECT, START_ARRAY -> {
        if (t == JsonToken.START_OBJECT && depth == 1 && "usage".equals(field)) {
          usageDepth = depth + 1;
        }
        depth++;
      }
      case END_OBJECT, END_ARRAY -> {
        if (depth == usageDepth) {
          usageDepth = -1;
        }
        depth--;
      }
      case FIELD_NAME -> field = parser.currentName();
      case VALUE_NUMBER_INT -> {
        if (depth == usageDepth && usageDepth > 0) {
          count(field, parser.getLongValue());
        }
      }
      default -> { }
    }
  }

  private void count(String name, long value) {
    switch (name) {
      case "prompt_tokens", "input_tokens" -> inputTokens = value;
      case "completion_tokens", "output_tokens" -> outputTokens = value;
      default -> { }
    }
  }

  /** Looks at one complete SSE event (raw bytes); parses it only if it carries a usage object. */
  public void sniffEvent(Buffer raw) {
    if (!hasUsageObject(raw)) {
      return;
    }
    String text = raw.toString(java.nio.charset.StandardCharsets.UTF_8);
    int data = text.indexOf("data:");
    if (data < 0) {
      return;
    }
    String json = text.substring(data + 5).trim();
    try {
      JsonNode node = MAPPER.readTree(json);
      JsonNode usage = node.path("usage");
      if (!usage.isObject()) {
        usage = node.path("response").path("usage");
      }
      if (usage.isObject()) {
        usage.fields().forEachRemaining(e -> {
          if (e.getValue().canConvertToLong()) {
            count(e.getKey(), e.getValue().asLong());
          }
        });
      }
    } catch (IOException | RuntimeException e) {
      // not JSON: no usage in it
    }
  }

  /** True when the bytes hold {@code "usage"}, optional spaces, a colon, optional spaces and an opening brace. */
  public static boolean hasUsageObject(Buffer b) {
    int n = b.length() - USAGE.length;
    outer:
    for (int i = 0; i <= n; i++) {
      for (int k = 0; k < USAGE.length; k++) {
        if (b.getByte(i + k) != USAGE[k]) {
          continue outer;
        }
      }
      int j = i + USAGE.length;
      j = skipSpaces(b, j);
      if (j < b.length() && b.getByte(j) == ':') {
        j = skipSpaces(b, j + 1);
        if (j < b.length() && b.getByte(j) == '{') {
          return true;
        }
      }
    }
    return false;
  }

  private static int skipSpaces(Buffer b, int j) {
    while (j < b.length() && (b.getByte(j) == ' ' || b.getByte(j) == '\t' || b.getByte(j) == '\n'
        || b.getByte(j) == '\r')) {
      j++;
    }
    return j;
  }
}
