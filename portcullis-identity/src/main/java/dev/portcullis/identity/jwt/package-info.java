/**
 * JWT bearer tokens from trusted issuers (Nimbus JOSE+JWT). Keys come only from each issuer's configured
 * key set (remote JWKS refreshed in the background, or a local file); {@code jwk}, {@code jku}, {@code x5u}
 * and {@code x5c} headers are never used. The key's type decides the algorithm, {@code none} is never
 * accepted, and time claims are checked against an injected clock with a bounded skew.
 */
package dev.portcullis.identity.jwt;
