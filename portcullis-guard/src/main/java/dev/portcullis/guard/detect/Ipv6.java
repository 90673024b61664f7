package dev.portcullis.guard.detect;

/** Strict textual IPv6 check (RFC 4291 section 2.2), including an embedded dotted IPv4 tail. */
final class Ipv6 {
  private Ipv6() {}

  static boolean valid(CharSequence t, int from, int to) {
    String s = t.subSequence(from, to).toString();
    if (s.length() < 3 || s.indexOf(':') < 0) {
      return false;
    }
    int dbl = s.indexOf("::");
    if (dbl >= 0) {
      if (s.indexOf("::", dbl + 1) >= 0) {
        return false;
      }
      String head = s.substring(0, dbl);
      String tail = s.substring(dbl + 2);
      int h = groups(head, tail.isEmpty());
      int tl = groups(tail, true);
      return h >= 0 && tl >= 0 && h + tl <= 7;
    }
    return groups(s, true) == 8;
  }

  /** Number of 16-bit groups in a ':'-separated run, or -1 when malformed; an IPv4 tail counts two. */
  private static int groups(String run, boolean ipv4TailAllowed) {
    if (run.isEmpty()) {
      return 0;
    }
    String[] parts = run.split(":", -1);
    int n = 0;
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i];
      if (p.indexOf('.') >= 0) {
        if (!ipv4TailAllowed || i != parts.length - 1 || !ipv4(p)) {
          return -1;
        }
        n += 2;
        continue;
      }
      if (p.isEmpty() || p.length() > 4) {
        return -1;
      }
      for (int k = 0; k < p.length(); k++) {
        if (Character.digit(p.charAt(k), 16) < 0) {
          return -1;
        }
      }
      n++;
    }
    return n;
  }

  private static boolean ipv4(String p) {
    String[] o = p.split("\\.", -1);
    if (o.length != 4) {
      return false;
    }
    for (String x : o) {
      if (x.isEmpty() || x.length() > 3 || (x.length() > 1 && x.charAt(0) == '0')) {
        return false;
      }
      for (int k = 0; k < x.length(); k++) {
        if (x.charAt(k) < '0' || x.charAt(k) > '9') {
          return false;
        }
      }
      if (Integer.parseInt(x) > 255) {
        return false;
      }
    }
    return true;
  }
}
