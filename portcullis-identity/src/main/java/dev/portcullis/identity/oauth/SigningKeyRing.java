package dev.portcullis.identity.oauth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.portcullis.identity.apikey.ApiKeyHasher;
import dev.portcullis.identity.jwt.KeySource;
import dev.portcullis.identity.store.IdentityStore;
import dev.portcullis.identity.store.SigningKeyRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The issuer's ES256 signing keys: the newest active key signs, retired keys stay published until every token
 * they signed has expired ({@code retention}). Either held in memory ({@link #inMemory}, one instance) or kept
 * in the identity store sealed with AES-GCM under a pepper-derived key ({@link #stored}), so every instance
 * signs and verifies with the same keys. Also a {@link KeySource}: the gateway verifies its own tokens through
 * the same JWT path as any issuer's. {@link #current()} and {@link #active()} read a snapshot; the other
 * methods of a stored ring block on the store (call them at start and from a scheduled task).
 */
public final class SigningKeyRing implements KeySource {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int MAX_KEYS = 8;
  private static final String SEALING_PURPOSE = "oauth-signing-keys";

  private record Held(ECKey key, Instant createdAt, Instant retiredAt) {}

  private record Snapshot(ECKey active, JWKSet published, List<Held> held) {}

  private final Clock clock;
  private final Duration retention;
  private final IdentityStore store;
  private final SecretKeySpec sealingKey;
  private volatile Snapshot snapshot;
  /** Serialises rotations, refreshes and expiries; private, so no caller can hold it. */
  private final Object lock = new Object();

  private SigningKeyRing(Clock clock, Duration retention, IdentityStore store, SecretKeySpec sealingKey) {
    if (retention.isNegative() || retention.isZero()) {
      throw new IllegalArgumentException("retention must be positive");
    }
    this.clock = clock;
    this.retention = retention;
    this.store = store;
    this.sealingKey = sealingKey;
  }

  /** Keys of this instance only, with one fresh active key. */
  public static SigningKeyRing inMemory(Clock clock, Duration retention) {
    SigningKeyRing ring = new SigningKeyRing(clock, retention, null, null);
    ring.snapshot = snapshotOf(List.of(new Held(generate(), clock.instant(), null)));
    return ring;
  }

  /**
   * Keys shared through the store; loads them, and creates the first key when none is active.
   *
   * @param retention how long a retired key stays published; at least the longest token lifetime
   */
  public static SigningKeyRing stored(IdentityStore store, ApiKeyHasher hasher, Clock clock, Duration retention) {
    SigningKeyRing ring = new SigningKeyRing(clock, retention, store, hasher.derivedAesKey(SEALING_PURPOSE));
    ring.refresh();
    if (ring.snapshot.active() == null) {
      ring.rotate();
    }
    return ring;
  }

  /** The key that signs new tokens. */
  public ECKey active() {
    ECKey active = snapshot.active();
    if (active == null) {
      throw new IllegalStateException("no active signing key: rotate() first");
    }
    return active;
  }

  /** Makes a new active key; the previous ones are retired and stay published for the retention time. */
  public void rotate() {
    synchronized (lock) {
      Instant now = clock.instant();
      ECKey fresh = generate();
      if (store == null) {
        List<Held> next = new ArrayList<>();
        next.add(new Held(fresh, now, null));
        for (Held h : snapshot.held()) {
          Held retired = h.retiredAt() == null ? new Held(h.key(), h.createdAt(), now) : h;
          if (now.isBefore(retired.retiredAt().plus(retention)) && next.size() < MAX_KEYS) {
            next.add(retired);
          }
        }
        snapshot = snapshotOf(next);
        return;
      }
      store.createSigningKey(new SigningKeyRecord(fresh.getKeyID(), seal(fresh), now, null));
      for (SigningKeyRecord r : store.listSigningKeys()) {
        if (r.retiredAt() == null && !r.kid().equals(fresh.getKeyID())) {
          store.retireSigningKey(r.kid(), now);
        }
      }
      refresh();
    }
  }

  /** Reloads the keys from the store (another instance may have rotated); no-op in memory. */
  public void refresh() {
    synchronized (lock) {
      if (store == null) {
        return;
      }
      Instant now = clock.instant();
      List<Held> held = new ArrayList<>();
      for (SigningKeyRecord r : store.listSigningKeys()) {
        if (r.retiredAt() != null && !now.isBefore(r.retiredAt().plus(retention))) {
          continue;
        }
        held.add(new Held(unseal(r), r.createdAt(), r.retiredAt()));
      }
      snapshot = snapshotOf(held);
    }
  }

  /** Drops retired keys whose retention has passed; call periodically. */
  public void expireRetired() {
    synchronized (lock) {
      Instant now = clock.instant();
      if (store != null) {
        store.deleteSigningKeysRetiredBefore(now.minus(retention));
        refresh();
        return;
      }
      List<Held> next = snapshot.held().stream()
          .filter(h -> h.retiredAt() == null || now.isBefore(h.retiredAt().plus(retention)))
          .toList();
      snapshot = snapshotOf(next);
    }
  }

  /** The public JWKS document served at {@code /.well-known/jwks.json}. */
  public String jwksJson() {
    return snapshot.published().toString();
  }

  @Override
  public JWKSet current() {
    return snapshot.published();
  }

  @Override
  public CompletionStage<JWKSet> reload() {
    return CompletableFuture.completedFuture(snapshot.published());
  }

  @Override
  public void close() {}

  private static Snapshot snapshotOf(List<Held> held) {
    ECKey active = null;
    Instant newest = null;
    List<JWK> pub = new ArrayList<>();
    for (Held h : held) {
      pub.add(h.key().toPublicJWK());
      if (h.retiredAt() == null && (newest == null || h.createdAt().isAfter(newest))) {
        active = h.key();
        newest = h.createdAt();
      }
    }
    return new Snapshot(active, new JWKSet(pub), List.copyOf(held));
  }

  private String seal(ECKey key) {
    try {
      byte[] iv = new byte[12];
      RANDOM.nextBytes(iv);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, sealingKey, new GCMParameterSpec(128, iv));
      cipher.updateAAD(key.getKeyID().getBytes(StandardCharsets.UTF_8));
      byte[] sealed = cipher.doFinal(key.toJSONString().getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding()
          .encodeToString(ByteBuffer.allocate(iv.length + sealed.length).put(iv).put(sealed).array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot seal a signing key", e);
    }
  }

  private ECKey unseal(SigningKeyRecord record) {
    try {
      byte[] all = Base64.getUrlDecoder().decode(record.sealedJwk());
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, sealingKey, new GCMParameterSpec(128, all, 0, 12));
      cipher.updateAAD(record.kid().getBytes(StandardCharsets.UTF_8));
      byte[] json = cipher.doFinal(all, 12, all.length - 12);
      ECKey key = ECKey.parse(new String(json, StandardCharsets.UTF_8));
      if (!record.kid().equals(key.getKeyID()) || !key.isPrivate()) {
        throw new IllegalStateException("stored signing key " + record.kid() + " does not match its record");
      }
      return key;
    } catch (GeneralSecurityException | ParseException | IllegalArgumentException e) {
      throw new IllegalStateException("cannot unseal signing key " + record.kid()
          + ": wrong pepper or damaged record", e);
    }
  }

  private static ECKey generate() {
    byte[] id = new byte[8];
    RANDOM.nextBytes(id);
    try {
      return new ECKeyGenerator(Curve.P_256)
          .keyID("pc-" + HexFormat.of().formatHex(id))
          .keyUse(KeyUse.SIGNATURE)
          .algorithm(JWSAlgorithm.ES256)
          .generate();
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot generate an ES256 key", e);
    }
  }
}
