package dev.portcullis.identity.jwt;

import com.nimbusds.jwt.JWTClaimsSet;

/**
 * Tokens revoked before expiry (by {@code jti}, or every token of a revoked OAuth client); checked after every
 * successful verification, cached or not, with the verified claims.
 */
@FunctionalInterface
public interface TokenDenyList {

  /** Accepts every token. */
  TokenDenyList NONE = (issuer, claims) -> false;

  boolean isDenied(String issuer, JWTClaimsSet claims);
}
