package dev.portcullis.identity.oauth;

import dev.portcullis.identity.store.OAuthClientRecord;

/** A newly registered client: {@code secret} is the only copy, shown once. {@link #toString()} omits it. */
public record IssuedClient(OAuthClientRecord record, String secret) {
  @Override
  public String toString() {
    return "IssuedClient[clientId=" + record.clientId() + "]";
  }
}
