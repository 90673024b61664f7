package dev.portcullis.pipeline;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * One server-sent event as it travels to the client: its raw bytes, including the terminating blank line. The
 * {@code data} and {@code event} fields are parsed on first use only.
 */
public final class SseEvent {

  private final Buffer raw;
  private String data;
  private String name;
  private boolean parsed;

  public SseEvent(Buffer raw) {
    this.raw = raw;
  }

  /** An event with a data field (may hold several lines) and an optional event name. */
  public static SseEvent of(String name, String data) {
    StringBuilder sb = new StringBuilder(data.length() + 16);
    if (name != null) {
      sb.append("event: ").append(name).append('\n');
    }
    for (String line : data.split("\n", -1)) {
      sb.append("data: ").append(line).append('\n');
    }
    sb.append('\n');
    return new SseEvent(Buffer.buffer(sb.toString()));
  }

  public Buffer raw() {
    return raw;
  }

  /** The data lines joined by line breaks (per the SSE spec), or null when the event has none. */
  public String data() {
    parse();
    return data;
  }

  /** The {@code event:} name, or null. */
  public String name() {
    parse();
    return name;
  }

  /** True for OpenAI's end-of-stream marker {@code data: [DONE]}. */
  public boolean isDone() {
    return "[DONE]".equals(data());
  }

  private void parse() {
    if (parsed) {
      return;
    }
    parsed = true;
    String text = raw.toString(StandardCharsets.UTF_8);
    StringBuilder d = null;
    for (String line : text.split("\r\n|\r|\n")) {
      if (line.startsWith("data:")) {
        String value = line.substring(line.length() > 5 && line.charAt(5) == ' ' ? 6 : 5);
        if (d == null) {
          d = new StringBuilder(value);
        } else {
          d.append('\n').append(value);
        }
      } else if (line.startsWith("event:")) {
        name = line.substring(line.length() > 6 && line.charAt(6) == ' ' ? 7 : 6);
      }
    }
    data = d == null ? null : d.toString();
  }
}
