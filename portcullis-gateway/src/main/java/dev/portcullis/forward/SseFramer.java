package dev.portcullis.forward;

import io.vertx.core.buffer.Buffer;

/**
 * Splits a byte stream into complete server-sent events. An event ends with an empty line: a {@code \n} or
 * {@code \r\n} at the start of a line (the stream starts with a line). Each empty line ends one event, so a run of
 * empty lines yields empty events, the same ones however the stream was cut. Bytes of an unfinished event are held
 * until the rest arrives. Holds at most
 * {@code maxEventBytes}: a longer event is an upstream fault. Work is linear in the bytes fed, however the stream
 * is cut into chunks: held bytes are neither scanned nor copied again.
 */
public final class SseFramer {

  /** Thrown when one event exceeds the bound. */
  public static final class EventTooLargeException extends RuntimeException {
    EventTooLargeException(int limit) {
      super("an upstream event exceeded " + limit + " bytes", null, false, false);
    }
  }

  /** Receives complete events, each with its terminating blank line. */
  @FunctionalInterface
  public interface Sink {
    void event(Buffer raw);
  }

  private final int maxEventBytes;
  private Buffer pending;

  public SseFramer(int maxEventBytes) {
    this.maxEventBytes = maxEventBytes;
  }

  /**
   * Feeds bytes; returns the prefix made of complete events (possibly empty), keeping the unfinished rest. The
   * returned buffer may share memory with {@code chunk}.
   */
  public Buffer feed(Buffer chunk) {
    Buffer data;
    int from;
    if (pending == null) {
      data = chunk;
      from = 0;
    } else {
      // held bytes end no event; an empty line ending in the new bytes may look back two held ones
      from = Math.max(0, pending.length() - 2);
      pending.appendBuffer(chunk);
      data = pending;
    }
    int end = lastBoundary(data, from);
    Buffer complete;
    if (end == data.length()) {
      complete = data;
      pending = null;
    } else {
      if (end == 0 && pending != null) {
        complete = EMPTY;
      } else {
        complete = end == 0 ? EMPTY : data.slice(0, end);
        Buffer rest = Buffer.buffer(data.length() - end + 256);
        rest.appendBuffer(data, end, data.length() - end);
        pending = rest;
      }
      if (pending.length() > maxEventBytes) {
        throw new EventTooLargeException(maxEventBytes);
      }
    }
    return complete;
  }

  /** Bytes held back at end of stream (an event without a terminating blank line), or null. */
  public Buffer remainder() {
    Buffer rest = pending;
    pending = null;
    return rest == null || rest.length() == 0 ? null : rest;
  }

  /** Calls {@code sink} for each event in a buffer of complete events returned by {@link #feed}. */
  public static void split(Buffer complete, Sink sink) {
    int start = 0;
    int n = complete.length();
    for (int i = 0; i < n; i++) {
      if (endsEmptyLine(complete, i)) {
        sink.event(complete.slice(start, i + 1));
        start = i + 1;
      }
    }
    if (start < n) {
      sink.event(complete.slice(start, n));
    }
  }

  private static final Buffer EMPTY = Buffer.buffer(0);

  /** Index just past the last event end at or after {@code from}, or 0. */
  private static int lastBoundary(Buffer b, int from) {
    for (int i = b.length() - 1; i >= from; i--) {
      if (endsEmptyLine(b, i)) {
        return i + 1;
      }
    }
    return 0;
  }

  /**
   * True when byte {@code i} is the {@code \n} of an empty line; {@code b} starts at the start of a line. Decided from
   * at most two bytes before it, so the answer does not depend on where chunks were cut.
   */
  private static boolean endsEmptyLine(Buffer b, int i) {
    if (b.getByte(i) != '\n') {
      return false;
    }
    if (i == 0 || b.getByte(i - 1) == '\n') {
      return true;
    }
    return b.getByte(i - 1) == '\r' && (i == 1 || b.getByte(i - 2) == '\n');
  }
}
