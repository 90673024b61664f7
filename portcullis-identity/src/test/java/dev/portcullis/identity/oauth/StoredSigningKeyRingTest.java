package dev.portcullis.identity.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.identity.TestClock;
import dev.portcullis.identity.apikey.ApiKeyHasher;
import dev.portcullis.identity.store.IdentityStore;
import dev.portcullis.identity.store.IdentityStores;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Signing keys shared by instances through a real store, sealed under the pepper. */
class StoredSigningKeyRingTest {

  @TempDir Path dir;
  final TestClock clock = new TestClock(Instant.parse("2026-06-01T00:00:00Z"));
  final ApiKeyHasher hasher = new ApiKeyHasher(new byte[32]);
  IdentityStore store;

  @BeforeEach
  void open() {
    store = IdentityStores.sqlite(dir.resolve("id.db"));
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void twoInstancesSignWithTheSameKeyAndSeeEachOthersRotation() {
    SigningKeyRing a = SigningKeyRing.stored(store, hasher, clock, Duration.ofMinutes(20));
    SigningKeyRing b = SigningKeyRing.stored(store, hasher, clock, Duration.ofMinutes(20));
    assertThat(b.active().getKeyID()).isEqualTo(a.active().getKeyID());
    assertThat(b.active().isPrivate()).isTrue();

    String first = a.active().getKeyID();
    clock.advance(Duration.ofMinutes(1));
    a.rotate();
    b.refresh();
    assertThat(b.active().getKeyID()).isEqualTo(a.active().getKeyID()).isNotEqualTo(first);
    assertThat(b.current().getKeyByKeyId(first)).isNotNull();

    clock.advance(Duration.ofMinutes(21));
    a.expireRetired();
    b.refresh();
    assertThat(b.current().getKeyByKeyId(first)).isNull();
    assertThat(b.current().getKeys()).hasSize(1).allSatisfy(k -> assertThat(k.isPrivate()).isFalse());
  }

  @Test
  void storesNoPlainPrivateKey() {
    SigningKeyRing ring = SigningKeyRing.stored(store, hasher, clock, Duration.ofMinutes(20));
    String d = ring.active().getD().toString();
    assertThat(store.listSigningKeys()).singleElement()
        .satisfies(r -> assertThat(r.sealedJwk()).doesNotContain(d).doesNotContain("\"d\""));
  }

  @Test
  void refusesToStartWithTheWrongPepper() {
    SigningKeyRing.stored(store, hasher, clock, Duration.ofMinutes(20));
    byte[] other = new byte[32];
    other[5] = 9;
    assertThatThrownBy(() -> SigningKeyRing.stored(store, new ApiKeyHasher(other), clock, Duration.ofMinutes(20)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("wrong pepper");
  }
}
