package dev.portcullis.observe;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one JSON line per request to the {@code portcullis.access} logger. Fields follow the OpenTelemetry GenAI
 * names where one exists. Never a body, a prompt, a completion or a credential: only ids, sizes, timings, counts.
 *
 * <p>One instance per event loop, confined to it: lines are collected and handed to the logger as one event
 * (lines separated by line breaks) when {@link #flush} runs — every few milliseconds, when the batch is large, and
 * at shutdown. One logger event per request would wake the asynchronous appender's writer thread per request, a
 * context switch each on a busy core.
 */
public final class AccessLog {

  /** A batch is handed over at this size even before the next flush. */
  private static final int MAX_BATCH_CHARS = 32 * 1024;

  private final StringBuilder batch = new StringBuilder(MAX_BATCH_CHARS + 1024);

  private static final Logger LOG = LoggerFactory.getLogger("portcullis.access");
  private static final JsonFactory JSON = new JsonFactory();

  /** One request's record. Negative numbers and nulls are left out of the line. */
  public record Entry(
      Instant time,
      String requestId,
      String method,
      String path,
      String route,
      String errorDetail,
      String model,
      String upstream,
      String principal,
      String clientIp,
      String traceId,
      int status,
      String errorCode,
      boolean stream,
      String streamOutcome,
      double upstreamMillis,
      double totalMillis,
      long bytesIn,
      long bytesOut,
      long inputTokens,
      long outputTokens) {}

  public boolean enabled() {
    return LOG.isInfoEnabled();
  }

  public void write(Entry e) {
    if (!LOG.isInfoEnabled()) {
      return;
    }
    if (!batch.isEmpty()) {
      batch.append('\n');
    }
    batch.append(format(e));
    if (batch.length() >= MAX_BATCH_CHARS) {
      flush();
    }
  }

  /** Hands the collected lines to the logger. Call on the owning event loop. */
  public void flush() {
    if (!batch.isEmpty()) {
      LOG.info(batch.toString());
      batch.setLength(0);
    }
  }

  static String format(Entry e) {
    StringWriter out = new StringWriter(384);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("ts", e.time().toString());
      g.writeStringField("type", "access");
      g.writeStringField("request_id", e.requestId());
      g.writeStringField("http.request.method", e.method());
      g.writeStringField("url.path", e.path());
      optional(g, "route", e.route());
      optional(g, "gen_ai.request.model", e.model());
      optional(g, "upstream", e.upstream());
      optional(g, "principal", e.principal());
      optional(g, "client.address", e.clientIp());
      optional(g, "trace_id", e.traceId());
      g.writeNumberField("http.response.status_code", e.status());
      optional(g, "error.code", e.errorCode());
      optional(g, "error.reason", e.errorDetail());
      g.writeBooleanField("stream", e.stream());
      optional(g, "stream.outcome", e.streamOutcome());
      if (e.upstreamMillis() >= 0) {
        g.writeNumberField("upstream_ms", round(e.upstreamMillis()));
      }
      g.writeNumberField("duration_ms", round(e.totalMillis()));
      g.writeNumberField("bytes_in", e.bytesIn());
      g.writeNumberField("bytes_out", e.bytesOut());
      if (e.inputTokens() >= 0) {
        g.writeNumberField("gen_ai.usage.input_tokens", e.inputTokens());
      }
      if (e.outputTokens() >= 0) {
        g.writeNumberField("gen_ai.usage.output_tokens", e.outputTokens());
      }
      g.writeEndObject();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return out.toString();
  }

  private static double round(double millis) {
    return Math.round(millis * 1000) / 1000.0;
  }

  private static void optional(JsonGenerator g, String name, String value) throws IOException {
    if (value != null) {
      g.writeStringField(name, value);
    }
  }
}
