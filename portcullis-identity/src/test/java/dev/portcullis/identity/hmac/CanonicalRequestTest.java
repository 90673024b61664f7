package dev.portcullis.identity.hmac;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CanonicalRequestTest {

  @Test
  void buildsTheDocumentedCanonicalString() {
    String body = "{\"model\":\"gpt-4o\"}";
    String canonical = CanonicalRequest.of("post", "/v1/chat/completions", "b=2&a=1&a=0",
        CanonicalRequest.bodySha256(body.getBytes(StandardCharsets.UTF_8)), 1767225600L, "n0nce-n0nce-n0nce");
    assertThat(canonical).isEqualTo("PC-HMAC-SHA256\nPOST\n/v1/chat/completions\na=0&a=1&b=2\n"
        + CanonicalRequest.bodySha256(body.getBytes(StandardCharsets.UTF_8)) + "\n1767225600\nn0nce-n0nce-n0nce");
    assertThat(CanonicalRequest.EMPTY_BODY_SHA256)
        .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  }

  @Test
  void normalisesQueryEncodingAndOrder() {
    assertThat(CanonicalRequest.query("q=a%20b&flag&z=%7e")).isEqualTo("flag=&q=a%20b&z=~");
    assertThat(CanonicalRequest.query("q=caf%C3%A9")).isEqualTo(CanonicalRequest.query("q=café"));
    assertThat(CanonicalRequest.query(null)).isEmpty();
  }

  @Test
  void refusesMalformedEscapes() {
    assertThatThrownBy(() -> CanonicalRequest.query("a=%4")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CanonicalRequest.query("a=%zz")).isInstanceOf(IllegalArgumentException.class);
  }
}
