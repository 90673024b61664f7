package dev.portcullis.identity;

/**
 * Why a credential was refused. The {@link #code()} goes to metrics and the access log; the
 * response body is the same for every 401 reason so that callers cannot enumerate keys.
 * A bounded value set, safe as a metric label.
 */
public enum FailureReason {
  /** No credential was presented. */
  MISSING_CREDENTIAL("missing_credential", 401),
  /** The credential is not in a recognised shape (wrong prefix, length, characters, encoding). */
  MALFORMED_CREDENTIAL("malformed_credential", 401),
  /** API key checksum mismatch: a typo or a guess; refused before any lookup. */
  BAD_CHECKSUM("bad_checksum", 401),
  /** No such credential. */
  UNKNOWN_CREDENTIAL("unknown_credential", 401),
  /** The credential has expired (including the end of a rotation grace window). */
  EXPIRED("expired", 401),
  /** The credential was revoked. */
  REVOKED("revoked", 401),
  /** A token or signature is not yet valid ({@code nbf}/{@code iat} in the future beyond the skew). */
  NOT_YET_VALID("not_yet_valid", 401),
  /** The signature did not verify. */
  BAD_SIGNATURE("bad_signature", 401),
  /** The token uses an algorithm outside the allow-list, or {@code none}. */
  DISALLOWED_ALGORITHM("disallowed_algorithm", 401),
  /** The token's issuer is not trusted. */
  UNTRUSTED_ISSUER("untrusted_issuer", 401),
  /** The token's audience does not include this gateway. */
  WRONG_AUDIENCE("wrong_audience", 401),
  /** The token names a key id that the issuer's key set does not contain. */
  UNKNOWN_KEY("unknown_key", 401),
  /** The token lives longer ({@code exp − iat}) than its issuer's {@code max-token-lifetime} allows. */
  LIFETIME_TOO_LONG("lifetime_too_long", 401),
  /** A claim the mapping needs (subject, tenant) is missing or malformed. */
  MISSING_CLAIM("missing_claim", 401),
  /** A certificate-bound token (RFC 8705) came over a connection without that certificate. */
  CERTIFICATE_MISMATCH("certificate_mismatch", 401),
  /** A signed request's timestamp lies outside the allowed skew window. */
  STALE_REQUEST("stale_request", 401),
  /** A signed request's nonce was seen before: a replay. */
  REPLAYED("replayed", 403),
  /** The credential is pinned to networks that do not include the client address. */
  ADDRESS_NOT_ALLOWED("address_not_allowed", 403),
  /** The credential store or key source could not be reached; refused (fail closed). */
  UNAVAILABLE("unavailable", 503);

  private final String code;
  private final int httpStatus;

  FailureReason(String code, int httpStatus) {
    this.code = code;
    this.httpStatus = httpStatus;
  }

  /** Stable lower-case code for metrics and access logs. */
  public String code() {
    return code;
  }

  /** HTTP status the gateway answers with: 401 (identify), 403 (screen) or 503 (fail closed). */
  public int httpStatus() {
    return httpStatus;
  }
}
