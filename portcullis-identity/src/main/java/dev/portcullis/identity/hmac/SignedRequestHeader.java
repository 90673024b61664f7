package dev.portcullis.identity.hmac;

/** The parsed {@code Authorization: PC-HMAC-SHA256 keyId=…, ts=…, nonce=…, sig=…} header. */
record SignedRequestHeader(String keyId, long timestamp, String nonce, String signature) {

  private static final int MAX_LENGTH = 512;

  /** The header, or {@code null} when it is not a well-formed signed-request header. */
  static SignedRequestHeader parse(String value) {
    if (value == null || value.length() > MAX_LENGTH || !HmacAuthenticator.isSignedRequest(value)) {
      return null;
    }
    String keyId = null;
    String ts = null;
    String nonce = null;
    String sig = null;
    for (String part : value.substring(CanonicalRequest.SCHEME.length() + 1).split(",")) {
      String p = part.strip();
      int eq = p.indexOf('=');
      if (eq <= 0) {
        return null;
      }
      String name = p.substring(0, eq);
      String v = p.substring(eq + 1);
      switch (name) {
        case "keyId" -> {
          if (keyId != null) return null;
          keyId = v;
        }
        case "ts" -> {
          if (ts != null) return null;
          ts = v;
        }
        case "nonce" -> {
          if (nonce != null) return null;
          nonce = v;
        }
        case "sig" -> {
          if (sig != null) return null;
          sig = v;
        }
        default -> {
          return null;
        }
      }
    }
    if (keyId == null || ts == null || nonce == null || sig == null) {
      return null;
    }
    if (!token(keyId, 1, 64) || !token(nonce, 16, 64) || !token(sig, 43, 43) || !digits(ts)) {
      return null;
    }
    return new SignedRequestHeader(keyId, Long.parseLong(ts), nonce, sig);
  }

  private static boolean token(String s, int min, int max) {
    if (s.length() < min || s.length() > max) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
          || c == '.')) {
        return false;
      }
    }
    return true;
  }

  private static boolean digits(String s) {
    if (s.isEmpty() || s.length() > 12) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }
}
