package dev.portcullis.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class SseFramerTest {

  @Provide
  Arbitrary<List<String>> events() {
    Arbitrary<String> data = Arbitraries.strings().withChars("abc {}:\"é€").ofMaxLength(40);
    Arbitrary<String> terminator = Arbitraries.of("\n\n", "\r\n\r\n");
    return net.jqwik.api.Combinators.combine(data, terminator).as((d, t) -> "data: " + d + t).list().ofMaxSize(12);
  }

  /** However the bytes are cut into chunks, the same events come out, in order, byte for byte. */
  @Property(tries = 300)
  void anyChunkingYieldsTheSameEvents(@ForAll("events") List<String> events,
      @ForAll @Size(max = 20) List<@IntRange(min = 1, max = 17) Integer> cuts) {
    byte[] all = String.join("", events).getBytes(StandardCharsets.UTF_8);
    SseFramer framer = new SseFramer(1 << 20);
    List<String> out = new ArrayList<>();
    int pos = 0;
    int c = 0;
    while (pos < all.length) {
      int len = Math.min(all.length - pos, cuts.isEmpty() ? all.length : cuts.get(c++ % cuts.size()));
      Buffer complete = framer.feed(Buffer.buffer().appendBytes(all, pos, len));
      SseFramer.split(complete, raw -> out.add(raw.toString(StandardCharsets.UTF_8)));
      pos += len;
    }
    assertThat(framer.remainder()).isNull();
    assertThat(out).containsExactlyElementsOf(events);
  }

  @Test
  void holdsAnUnfinishedEventUntilItsEnd() {
    SseFramer framer = new SseFramer(1024);
    assertThat(framer.feed(Buffer.buffer("data: one\n\ndata: tw")).toString()).isEqualTo("data: one\n\n");
    assertThat(framer.feed(Buffer.buffer("o\n")).length()).isZero();
    assertThat(framer.feed(Buffer.buffer("\n")).toString()).isEqualTo("data: two\n\n");
  }

  /** Held bytes are not scanned or copied again: a 4 MiB event trickled a byte at a time used to take hours. */
  @Test
  void aLongEventFedOneByteAtATimeIsFramedInLinearTime() {
    int size = 4 * 1024 * 1024;
    SseFramer framer = new SseFramer(size + 2);
    Buffer one = Buffer.buffer("x");
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      for (int i = 0; i < size; i++) {
        assertThat(framer.feed(one).length()).isZero();
      }
      assertThat(framer.feed(Buffer.buffer("\n")).length()).isZero();
      assertThat(framer.feed(Buffer.buffer("\n")).length()).isEqualTo(size + 2);
    });
  }

  @Test
  void refusesAnEventBeyondTheBound() {
    SseFramer framer = new SseFramer(16);
    assertThatThrownBy(() -> framer.feed(Buffer.buffer("data: " + "x".repeat(32))))
        .isInstanceOf(SseFramer.EventTooLargeException.class);
  }

  @Test
  void detectsUsageObjectsButNotNullUsage() {
    assertThat(UsageSniffer.hasUsageObject(Buffer.buffer("{\"usage\": {\"prompt_tokens\":1}}"))).isTrue();
    assertThat(UsageSniffer.hasUsageObject(Buffer.buffer("{\"usage\":null}"))).isFalse();
  }

  @Test
  void sniffsUsageFromAWholeBodyFedInPieces() {
    UsageSniffer sniffer = new UsageSniffer();
    String body = "{\"id\":\"x\",\"nested\":{\"usage\":{\"prompt_tokens\":99}},\"usage\":{\"prompt_tokens\":12,"
        + "\"completion_tokens\":34,\"total_tokens\":46}}";
    for (int i = 0; i < body.length(); i += 7) {
      sniffer.feedBody(Buffer.buffer(body.substring(i, Math.min(body.length(), i + 7))));
    }
    assertThat(sniffer.inputTokens()).isEqualTo(12);
    assertThat(sniffer.outputTokens()).isEqualTo(34);
  }
}
