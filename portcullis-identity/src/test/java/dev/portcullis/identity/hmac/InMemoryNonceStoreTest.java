package dev.portcullis.identity.hmac;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.identity.TestClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class InMemoryNonceStoreTest {

  final TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));

  NonceStore.Claim claim(NonceStore store, String key, String nonce, Duration ttl) {
    return store.claim(key, nonce, clock.instant().plus(ttl)).toCompletableFuture().join();
  }

  @Test
  void refusesTheSameNonceTwiceForOneKey() {
    InMemoryNonceStore store = new InMemoryNonceStore(10, clock);
    assertThat(claim(store, "k1", "abc", Duration.ofMinutes(5))).isEqualTo(NonceStore.Claim.FRESH);
    assertThat(claim(store, "k1", "abc", Duration.ofMinutes(5))).isEqualTo(NonceStore.Claim.REPLAYED);
    assertThat(claim(store, "k2", "abc", Duration.ofMinutes(5))).isEqualTo(NonceStore.Claim.FRESH);
  }

  @Test
  void refusesNewNoncesWhenFullInsteadOfEvictingOldOnes() {
    InMemoryNonceStore store = new InMemoryNonceStore(2, clock);
    claim(store, "k", "n1", Duration.ofMinutes(5));
    claim(store, "k", "n2", Duration.ofMinutes(5));
    assertThat(claim(store, "k", "n3", Duration.ofMinutes(5))).isEqualTo(NonceStore.Claim.FULL);
    assertThat(claim(store, "k", "n1", Duration.ofMinutes(5))).isEqualTo(NonceStore.Claim.FULL);
    assertThat(store.size()).isEqualTo(2);
  }

  @Test
  void makesRoomOnceNoncesExpire() {
    InMemoryNonceStore store = new InMemoryNonceStore(2, clock);
    claim(store, "k", "n1", Duration.ofSeconds(10));
    claim(store, "k", "n2", Duration.ofSeconds(10));
    clock.advance(Duration.ofSeconds(11));
    assertThat(claim(store, "k", "n3", Duration.ofSeconds(10))).isEqualTo(NonceStore.Claim.FRESH);
    assertThat(store.size()).isEqualTo(1);
  }
}
