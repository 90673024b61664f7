package dev.portcullis.forward;

import io.vertx.core.buffer.Buffer;

/**
 * Splits a byte stream into complete server-sent events. An event ends at a blank line ({@code \n\n} or
 * {@code \r\n\r\n}); bytes of an unfinished event are held until the rest arrives. Holds at most
 * {@code maxEventBytes}: a longer event is an upstream fault.
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
    if (pending == null) {
      data = chunk;
    } else {
      pending.appendBuffer(chunk);
      data = pending;
    }
    int end = lastBoundary(data);
    Buffer complete;
    if (end == data.length()) {
      complete = data;
      pending = null;
    } else {
      complete = end == 0 ? EMPTY : data.slice(0, end);
      Buffer rest = Buffer.buffer(data.length() - end + 256);
      rest.appendBuffer(data, end, data.length() - end);
      pending = rest;
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
    int i = 0;
    while (i < n) {
      int end = boundaryAt(complete, i, n);
      if (end > 0) {
        sink.event(complete.slice(start, end));
        start = end;
        i = end;
      } else {
        i++;
      }
    }
    if (start < n) {
      sink.event(complete.slice(start, n));
    }
  }

  private static final Buffer EMPTY = Buffer.buffer(0);

  /** Index just past the last event boundary, or 0. */
  private static int lastBoundary(Buffer b) {
    int n = b.length();
    for (int i = n - 1; i >= 1; i--) {
      if (b.getByte(i) == '\n') {
        byte prev = b.getByte(i - 1);
        if (prev == '\n') {
          return i + 1;
        }
        if (prev == '\r' && i >= 3 && b.getByte(i - 2) == '\n' && b.getByte(i - 3) == '\r') {
          return i + 1;
        }
      }
    }
    return 0;
  }

  /** If an event boundary starts at i, the index just past it; else 0. */
  private static int boundaryAt(Buffer b, int i, int n) {
    byte c = b.getByte(i);
    if (c == '\n' && i + 1 < n && b.getByte(i + 1) == '\n') {
      return i + 2;
    }
    if (c == '\r' && i + 3 < n && b.getByte(i + 1) == '\n' && b.getByte(i + 2) == '\r'
        && b.getByte(i + 3) == '\n') {
      return i + 4;
    }
    return 0;
  }
}
