package dev.portcullis.forward;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzzes SSE framing of upstream bytes. The first input byte chooses how the rest is cut into chunks. Properties:
 * the only exception is {@link SseFramer.EventTooLargeException}; no byte is lost, added or reordered; every complete
 * prefix ends at a line end; and the events are the same however the bytes were cut (a finding of this target: runs
 * of empty lines were framed differently by chunking, seed {@code blank-runs}). Runs its seed corpus on every
 * build; {@code JAZZER_FUZZ=1} fuzzes it (docs/security-testing.md).
 */
class SseFramerFuzzTest {

  private static final int MAX_EVENT = 256;

  @FuzzTest(maxDuration = "60s")
  void framingIsLosslessAndIndependentOfChunking(byte[] input) {
    if (input.length == 0) {
      return;
    }
    byte[] stream = Arrays.copyOfRange(input, 1, input.length);
    List<String> whole = frame(stream, stream.length == 0 ? 1 : stream.length);
    List<String> cut = frame(stream, (input[0] & 0x0f) + 1);
    if (whole == null || cut == null) {
      return;
    }
    assertThat(cut).isEqualTo(whole);
  }

  /** The events framed from {@code stream} fed in chunks of {@code size}; null when an event was too large. */
  private static List<String> frame(byte[] stream, int size) {
    SseFramer framer = new SseFramer(MAX_EVENT);
    List<String> events = new ArrayList<>();
    Buffer seen = Buffer.buffer();
    try {
      for (int pos = 0; pos < stream.length; pos += size) {
        Buffer complete = framer.feed(Buffer.buffer().appendBytes(stream, pos, Math.min(size, stream.length - pos)));
        if (complete.length() > 0) {
          assertThat(complete.getByte(complete.length() - 1)).isEqualTo((byte) '\n');
        }
        Buffer rejoined = Buffer.buffer();
        SseFramer.split(complete, raw -> {
          rejoined.appendBuffer(raw);
          events.add(raw.toString(java.nio.charset.StandardCharsets.ISO_8859_1));
        });
        assertThat(rejoined.getBytes()).isEqualTo(complete.getBytes());
        seen.appendBuffer(complete);
      }
    } catch (SseFramer.EventTooLargeException tooLarge) {
      return null;
    }
    Buffer rest = framer.remainder();
    if (rest != null) {
      seen.appendBuffer(rest);
      events.add(rest.toString(java.nio.charset.StandardCharsets.ISO_8859_1));
    }
    assertThat(seen.getBytes()).isEqualTo(stream);
    return events;
  }
}
