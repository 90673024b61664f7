package dev.portcullis.events;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each event as one JSON line to the {@code portcullis.security} logger (INFO), which the shipped logging
 * configuration hands to an asynchronous appender, so callers on an event loop never wait for output.
 */
public final class LoggingSecurityEventSink implements SecurityEventSink {

  /** The logger every security event goes to. */
  public static final String LOGGER = "portcullis.security";

  private static final Logger LOG = LoggerFactory.getLogger(LOGGER);
  private static final JsonFactory JSON = new JsonFactory();

  @Override
  public void accept(SecurityEvent event) {
    if (LOG.isInfoEnabled()) {
      LOG.info(format(event));
    }
  }

  /** The event as one JSON object; a generator, not string formatting, since names and paths come from callers. */
  static String format(SecurityEvent e) {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("ts", e.at().toString());
      g.writeStringField("type", "security");
      g.writeStringField("action", e.action());
      g.writeStringField("outcome", e.outcome().name().toLowerCase(Locale.ROOT));
      g.writeNumberField("http.response.status_code", e.status());
      optional(g, "actor", e.actor());
      optional(g, "role", e.role());
      optional(g, "tenant", e.tenant());
      optional(g, "target", e.target());
      optional(g, "reason", e.reason());
      optional(g, "client.address", e.client());
      g.writeEndObject();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return out.toString();
  }

  private static void optional(JsonGenerator g, String name, String value) throws IOException {
    if (value != null) {
      g.writeStringField(name, value);
    }
  }
}
