package dev.portcullis.identity.hmac;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** Finds the signing key for a key id; completes with empty when unknown. May complete on another thread. */
public interface SigningKeys {
  CompletionStage<Optional<SigningKey>> find(String keyId);
}
