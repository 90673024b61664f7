package dev.portcullis.pipeline;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * An error in OpenAI's format: {@code {"error":{"message","type","param","code"}}}. {@code param} and {@code code}
 * may be null; {@code limit}, the configured name of the limit that refused the request, is written only when set.
 * Messages must never carry a credential, a prompt or a matched value.
 */
public record ApiError(String message, String type, String param, String code, String limit) {

  private static final JsonFactory JSON = new JsonFactory();

  public ApiError(String message, String type, String param, String code) {
    this(message, type, param, code, null);
  }

  public static ApiError invalidRequest(String message, String param, String code) {
    return new ApiError(message, "invalid_request_error", param, code);
  }

  public static ApiError server(String message, String code) {
    return new ApiError(message, "server_error", null, code);
  }

  /** The JSON body. */
  public String toJson() {
    StringWriter out = new StringWriter(128);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeObjectFieldStart("error");
      g.writeStringField("message", message);
      g.writeStringField("type", type);
      g.writeStringField("param", param);
      g.writeStringField("code", code);
      if (limit != null) {
        g.writeStringField("limit", limit);
      }
      g.writeEndObject();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  public Buffer toBuffer() {
    return Buffer.buffer(toJson());
  }
}
