package dev.portcullis.identity.jwt;

import com.nimbusds.jose.jwk.JWKSet;
import java.util.concurrent.CompletionStage;

/**
 * An issuer's verification keys. {@link #current()} is a cheap snapshot read on every token; {@link #reload()}
 * is asked for when a token names a key id that the snapshot lacks, and must rate-limit itself.
 */
public interface KeySource extends AutoCloseable {

  /** The public keys as last loaded; {@code null} when nothing has loaded yet. */
  JWKSet current();

  /**
   * Loads the keys again unless a load happened within the minimum interval, in which case the current
   * snapshot is returned at once. Completes exceptionally only when nothing could ever be loaded.
   */
  CompletionStage<JWKSet> reload();

  @Override
  void close();
}
