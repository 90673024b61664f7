/**
 * API keys: the scanner-recognisable format {@code pc_<env>_<base62 body><base62 CRC32 checksum>}, peppered
 * HMAC-SHA-256 hashing at rest, issuance/rotation/revocation, and the request-time
 * {@link dev.portcullis.identity.apikey.ApiKeyAuthenticator} with a bounded positive and negative cache,
 * CIDR pinning and batched last-used writes.
 */
package dev.portcullis.identity.apikey;
