/**
 * HMAC-signed requests for server-to-server callers: a canonical string of method, path, sorted query,
 * body hash, timestamp and nonce, signed with HMAC-SHA-256 under a per-key secret. Requests outside the
 * skew window are refused, and a {@link dev.portcullis.identity.hmac.NonceStore} refuses replays.
 * {@link dev.portcullis.identity.hmac.HmacSigner} is the client side.
 */
package dev.portcullis.identity.hmac;
