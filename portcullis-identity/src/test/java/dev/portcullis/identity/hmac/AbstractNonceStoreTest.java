package dev.portcullis.identity.hmac;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The contract every {@link NonceStore} backend passes. */
public abstract class AbstractNonceStoreTest {

  protected abstract NonceStore store();

  /** A second handle on the same shared state (another gateway instance), or the same store when not shared. */
  protected abstract NonceStore otherInstance();

  protected abstract Instant now();

  NonceStore.Claim claim(NonceStore s, String key, String nonce) {
    return s.claim(key, nonce, now().plus(Duration.ofMinutes(5))).toCompletableFuture().join();
  }

  static String nonce() {
    return UUID.randomUUID().toString().replace("-", "");
  }

  @Test
  void acceptsANonceOnceAndRefusesItsReplay() {
    String n = nonce();
    assertThat(claim(store(), "key-a", n)).isEqualTo(NonceStore.Claim.FRESH);
    assertThat(claim(store(), "key-a", n)).isEqualTo(NonceStore.Claim.REPLAYED);
  }

  @Test
  void refusesAReplayOnAnotherInstance() {
    String n = nonce();
    assertThat(claim(store(), "key-a", n)).isEqualTo(NonceStore.Claim.FRESH);
    assertThat(claim(otherInstance(), "key-a", n)).isEqualTo(NonceStore.Claim.REPLAYED);
  }

  @Test
  void keepsNoncesOfDifferentKeysApart() {
    String n = nonce();
    assertThat(claim(store(), "key-a", n)).isEqualTo(NonceStore.Claim.FRESH);
    assertThat(claim(store(), "key-b", n)).isEqualTo(NonceStore.Claim.FRESH);
  }
}
