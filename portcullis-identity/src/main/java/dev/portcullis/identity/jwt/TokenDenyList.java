package dev.portcullis.identity.jwt;

/** Tokens revoked before expiry (by {@code jti}); checked after every successful verification, cached or not. */
@FunctionalInterface
public interface TokenDenyList {

  /** Accepts every token. */
  TokenDenyList NONE = (issuer, jti) -> false;

  boolean isDenied(String issuer, String jti);
}
