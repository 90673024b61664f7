package dev.portcullis.identity.apikey;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Hashes credentials for storage and lookup: HMAC-SHA-256 under a server-side pepper, as lower-case hex.
 * A stolen database alone cannot be used to test guesses. Thread-safe.
 *
 * <p>{@link #hash} computes the standard HMAC (RFC 2104) from SHA-256 states that already absorbed the
 * padded pepper, halving the work of {@link Mac} on the request path; a test checks it against {@link Mac}.
 */
public final class ApiKeyHasher {

  /** Minimum pepper length in bytes. */
  public static final int MIN_PEPPER_BYTES = 32;
  private static final int BLOCK = 64;
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  private final SecretKeySpec pepper;
  private final ThreadLocal<Mac> macs;
  private final MessageDigest innerPrototype;
  private final MessageDigest outerPrototype;
  private final ThreadLocal<byte[]> scratch = ThreadLocal.withInitial(() -> new byte[32]);

  /** @param pepper at least 32 random bytes, kept outside the database (configuration secret or KMS) */
  public ApiKeyHasher(byte[] pepper) {
    if (pepper == null || pepper.length < MIN_PEPPER_BYTES) {
      throw new IllegalArgumentException("the pepper must be at least " + MIN_PEPPER_BYTES + " bytes");
    }
    this.pepper = new SecretKeySpec(pepper.clone(), "HmacSHA256");
    newMac(this.pepper); // fail fast if the platform lacks HmacSHA256
    this.macs = ThreadLocal.withInitial(() -> newMac(this.pepper));
    byte[] key = pepper.length > BLOCK ? sha256().digest(pepper) : pepper.clone();
    byte[] ipad = new byte[BLOCK];
    byte[] opad = new byte[BLOCK];
    Arrays.fill(ipad, (byte) 0x36);
    Arrays.fill(opad, (byte) 0x5c);
    for (int i = 0; i < key.length; i++) {
      ipad[i] ^= key[i];
      opad[i] ^= key[i];
    }
    innerPrototype = sha256();
    innerPrototype.update(ipad);
    outerPrototype = sha256();
    outerPrototype.update(opad);
    Arrays.fill(key, (byte) 0);
    Arrays.fill(ipad, (byte) 0);
    Arrays.fill(opad, (byte) 0);
  }

  /** Hex HMAC-SHA-256 of {@code credential} under the pepper. */
  public String hash(String credential) {
    return HexFormat.of().formatHex(hmac(credential.getBytes(StandardCharsets.UTF_8)));
  }

  /** {@link #hash} as a {@link KeyDigest}, for cache lookups; {@code credential} is its bytes (UTF-8). */
  KeyDigest digest(byte[] credential) {
    byte[] h = hmac(credential);
    return new KeyDigest((long) LONGS.get(h, 0), (long) LONGS.get(h, 8), (long) LONGS.get(h, 16),
        (long) LONGS.get(h, 24));
  }

  /** HMAC-SHA-256 into this thread's scratch buffer (valid until the thread's next call). */
  private byte[] hmac(byte[] credential) {
    try {
      MessageDigest inner = (MessageDigest) innerPrototype.clone();
      MessageDigest outer = (MessageDigest) outerPrototype.clone();
      byte[] buffer = scratch.get();
      inner.update(credential);
      inner.digest(buffer, 0, 32);
      outer.update(buffer);
      outer.digest(buffer, 0, 32);
      return buffer;
    } catch (CloneNotSupportedException | DigestException e) {
      throw new IllegalStateException("SHA-256 state cannot be cloned", e);
    }
  }

  /** HMAC-SHA-256 of {@code domain + ":" + value} under the pepper: derives per-credential secrets. */
  byte[] derive(String domain, String value) {
    Mac mac = macs.get();
    mac.update(domain.getBytes(StandardCharsets.UTF_8));
    mac.update((byte) ':');
    return mac.doFinal(value.getBytes(StandardCharsets.UTF_8));
  }

  /** A 256-bit AES key derived from the pepper for {@code purpose} (e.g. sealing stored signing keys). */
  public SecretKeySpec derivedAesKey(String purpose) {
    return new SecretKeySpec(derive("pc-aes-v1", purpose), "AES");
  }

  /** Reference HMAC through {@link Mac}, for tests. */
  String hashWithMac(String credential) {
    return HexFormat.of().formatHex(macs.get().doFinal(credential.getBytes(StandardCharsets.UTF_8)));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  private static Mac newMac(SecretKeySpec key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac;
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
