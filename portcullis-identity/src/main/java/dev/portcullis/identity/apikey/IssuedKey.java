package dev.portcullis.identity.apikey;

import dev.portcullis.identity.store.ApiKeyRecord;

/**
 * A newly created key: {@code secret} is the only copy of the key and must be shown to the caller once and
 * then dropped. {@link #toString()} never includes it.
 */
public record IssuedKey(ApiKeyRecord record, String secret) {
  @Override
  public String toString() {
    return "IssuedKey[id=" + record.id() + ", hint=" + record.hint() + "]";
  }
}
