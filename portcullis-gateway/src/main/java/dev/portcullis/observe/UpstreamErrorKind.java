package dev.portcullis.observe;

/** Why talking to an upstream failed; each kind maps to one client status and one metric label. */
public enum UpstreamErrorKind {
  /** The connection was refused or could not be opened. */
  CONNECT("connect", 502, "upstream_unavailable"),
  /** No connection within the connect timeout. */
  CONNECT_TIMEOUT("connect_timeout", 504, "upstream_timeout"),
  /** Connected, but no response headers within the first-byte timeout. */
  FIRST_BYTE_TIMEOUT("first_byte_timeout", 504, "upstream_timeout"),
  /** The response stalled for longer than the idle timeout. */
  IDLE_TIMEOUT("idle_timeout", 504, "upstream_timeout"),
  /** The upstream closed or reset the connection, or spoke broken HTTP. */
  PROTOCOL("protocol", 502, "upstream_error");

  private final String label;
  private final int status;
  private final String code;

  UpstreamErrorKind(String label, int status, String code) {
    this.label = label;
    this.status = status;
    this.code = code;
  }

  public String label() {
    return label;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }
}
