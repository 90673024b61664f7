package dev.portcullis.pipeline;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.portcullis.config.Route;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The final event that ends a stream with an error, in the form of the route's API (ADR 0029).
 *
 * <ul>
 *   <li>Chat and text completions: {@code data: {"error":{…}}}, which OpenAI's SDKs raise as an error.
 *   <li>Responses API: {@code event: error} whose data carries the documented top-level {@code type: "error"},
 *       {@code code}, {@code message}, {@code param} and {@code sequence_number} (one past the last event sent), and
 *       also the nested {@code error} object the API itself sends and the SDKs raise on.
 * </ul>
 */
public final class StreamErrorEvent {

  private static final JsonFactory JSON = new JsonFactory();
  private static final String SEQUENCE = "\"sequence_number\":";

  private StreamErrorEvent() {}

  /** {@code lastSent} is the last buffer written to the client (whole events), or null when none was. */
  public static Buffer of(Route route, ApiError error, Buffer lastSent) {
    if (route != Route.RESPONSES) {
      return Buffer.buffer("data: " + error.toJson() + "\n\n");
    }
    StringWriter out = new StringWriter(256);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("type", "error");
      g.writeNumberField("sequence_number", nextSequence(lastSent));
      g.writeStringField("code", error.code());
      g.writeStringField("message", error.message());
      g.writeStringField("param", error.param());
      g.writeObjectFieldStart("error");
      g.writeStringField("type", error.type());
      g.writeStringField("code", error.code());
      g.writeStringField("message", error.message());
      g.writeStringField("param", error.param());
      g.writeEndObject();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Buffer.buffer("event: error\ndata: " + out + "\n\n");
  }

  /** One past the last top-level {@code sequence_number} in {@code lastSent}; 0 when there is none. */
  static long nextSequence(Buffer lastSent) {
    if (lastSent == null) {
      return 0;
    }
    String text = lastSent.toString(StandardCharsets.UTF_8);
    int at = text.lastIndexOf(SEQUENCE);
    if (at < 0) {
      return 0;
    }
    int i = at + SEQUENCE.length();
    while (i < text.length() && text.charAt(i) == ' ') {
      i++;
    }
    long n = 0;
    int digits = 0;
    for (; i < text.length() && Character.isDigit(text.charAt(i)) && digits < 18; i++, digits++) {
      n = n * 10 + (text.charAt(i) - '0');
    }
    return digits == 0 ? 0 : n + 1;
  }
}
