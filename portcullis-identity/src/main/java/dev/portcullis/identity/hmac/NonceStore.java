package dev.portcullis.identity.hmac;

import java.time.Instant;
import java.util.concurrent.CompletionStage;

/**
 * Remembers nonces of accepted signed requests until they can no longer pass the skew window, so that a
 * captured request cannot be sent again. An in-memory implementation serves one instance; a shared one
 * (Redis {@code SET NX PX}) serves many.
 */
public interface NonceStore {

  /** Result of claiming a nonce. */
  enum Claim {
    /** First use: the request may proceed. */
    FRESH,
    /** Seen before: a replay. */
    REPLAYED,
    /** The store cannot take more nonces right now; the request is refused (fail closed). */
    FULL
  }

  /** Atomically records {@code nonce} for {@code keyId} until {@code expiresAt}, unless already recorded. */
  CompletionStage<Claim> claim(String keyId, String nonce, Instant expiresAt);
}
