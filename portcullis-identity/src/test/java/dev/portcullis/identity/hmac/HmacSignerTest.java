package dev.portcullis.identity.hmac;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class HmacSignerTest {

  /** The same request signed by the openssl shell example in docs/identity.md. */
  @Test
  void matchesTheShellSignerInTheDocs() {
    HmacSigner signer = new HmacSigner("key-0a1b2c", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8");
    byte[] body = "{\"model\":\"llama3\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
        .getBytes(StandardCharsets.UTF_8);
    String header = signer.authorization("POST", "/v1/chat/completions", null, body,
        Instant.ofEpochSecond(1767225600), "n0nce-0123456789ab");
    assertThat(header).isEqualTo("PC-HMAC-SHA256 keyId=key-0a1b2c, ts=1767225600, nonce=n0nce-0123456789ab,"
        + " sig=54XTnKLuAnNFyfYIwJ5YQiDQ5pQ734DcTcU8mHgtjAc");
  }

  @Test
  void usesAFreshNonceForEveryRequest() {
    HmacSigner signer = new HmacSigner("k", new byte[32]);
    Instant now = Instant.now();
    assertThat(signer.authorization("GET", "/", null, new byte[0], now))
        .isNotEqualTo(signer.authorization("GET", "/", null, new byte[0], now));
  }

  @Test
  void refusesShortSecretsAndBadKeyIds() {
    assertThatThrownBy(() -> new HmacSigner("k", new byte[16])).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new HmacSigner("a,b", new byte[32])).isInstanceOf(IllegalArgumentException.class);
  }
}
