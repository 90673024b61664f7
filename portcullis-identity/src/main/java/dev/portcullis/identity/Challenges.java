package dev.portcullis.identity;

/** RFC 6750 {@code WWW-Authenticate} values for refused bearer credentials. */
public final class Challenges {

  private Challenges() {}

  /**
   * Challenge for a 401 answer. Every 401 reason yields the same value so that unknown, revoked and
   * expired credentials look alike to the caller (RFC 6750 §3.1).
   */
  public static String wwwAuthenticate(FailureReason reason, String realm) {
    if (realm.isEmpty() || realm.indexOf('"') >= 0 || realm.indexOf('\\') >= 0) {
      throw new IllegalArgumentException("realm must be non-empty and contain no quote or backslash");
    }
    if (reason == FailureReason.MISSING_CREDENTIAL) {
      return "Bearer realm=\"" + realm + "\"";
    }
    return "Bearer realm=\"" + realm + "\", error=\"invalid_token\"";
  }
}
