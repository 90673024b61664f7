package dev.portcullis.identity;

/** Kind of credential a principal authenticated with; a bounded value set, safe as a metric label. */
public enum CredentialType {
  API_KEY("api_key"),
  JWT("jwt"),
  HMAC("hmac"),
  MTLS("mtls");

  private final String code;

  CredentialType(String code) {
    this.code = code;
  }

  /** Lower-case label for metrics and logs. */
  public String code() {
    return code;
  }
}
