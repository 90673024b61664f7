package dev.portcullis.identity.oauth;

import java.net.URLDecoder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/** Client id and secret from {@code client_secret_basic} (RFC 6749 §2.3.1). */
public record ClientCredentials(String clientId, String clientSecret) {

  /** Parses {@code Basic base64(urlencode(id) ":" urlencode(secret))}; empty when malformed. */
  public static Optional<ClientCredentials> fromBasicHeader(String authorization) {
    if (authorization == null || authorization.length() > 1024
        || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      return Optional.empty();
    }
    try {
      byte[] raw = Base64.getDecoder().decode(authorization.substring(6).strip());
      String decoded = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(raw)).toString();
      int colon = decoded.indexOf(':');
      if (colon <= 0) {
        return Optional.empty();
      }
      return Optional.of(new ClientCredentials(
          URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8),
          URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8)));
    } catch (IllegalArgumentException | CharacterCodingException e) {
      return Optional.empty();
    }
  }

  @Override
  public String toString() {
    return "ClientCredentials[clientId=" + clientId + "]";
  }
}
