package dev.portcullis.guard.detect;


import static dev.portcullis.guard.detect.Chars.*;

/** Address validators: e-mail, IPv4, IPv6 and MAC. */
final class AddressRules {
  private AddressRules() {}

  /** Token start of hex or ':' : MAC address (EUI-48/64) or IPv6. Sets the skip position past a match. */
  static void hex(Scanner.Ctx ctx, int i) {
    int j = i;
    int hexRun = 0;
    while (hexRun < 5 && isHex(ctx.peek(j))) {
      j++;
      hexRun++;
    }
    int sep = ctx.peek(j);
    if (hexRun == 5) {
      SecretRules.mailchimp(ctx, i);
      return;
    }
    if (sep != ':' && sep != '-' && sep != '.' && sep != ' ') {
      return;
    }
    if ((hexRun == 2 && sep != '.') || (hexRun == 4 && sep == '.')) {
      int e = macGroups(ctx, i, hexRun, (char) sep);
      if (e > 0) {
        ctx.add(FindingType.MAC_ADDRESS, i, e, contextBoost(ctx.text, i, 0.85, "mac"));
        ctx.skipUntil = e;
        return;
      }
    }
    if (sep != ':') {
      return;
    }
    int end = scanWhile(ctx, i, 45, AddressRules::isIpv6Char);
    while (end > i && ctx.text.charAt(end - 1) == '.') {
      end--;
    }
    if (isWordChar(safeChar(ctx, end)) || !Ipv6.valid(ctx.text, i, end)) {
      return;
    }
    if (ctx.peek(end) == '%' && isAlnum(ctx.peek(end + 1))) {
      int z = end + 1;
      while (z < end + 32 && (isAlnum(ctx.peek(z)) || (ctx.peek(z) == '.' && isAlnum(ctx.peek(z + 1))))) {
        z++;
      }
      end = z;
    }
    ctx.add(FindingType.IP_ADDRESS, i, end, 0.9);
    ctx.skipUntil = end;
  }

  /**
   * End of a MAC address of {@code width}-hex-digit groups joined by {@code sep} starting at {@code i}: 6 or 8
   * groups of 2, or 3 or 4 groups of 4; -1 when there is none.
   */
  static int macGroups(Scanner.Ctx ctx, int i, int width, char sep) {
    int max = width == 2 ? 8 : 4;
    int groups = 0;
    int j = i;
    int lastEnd = -1;
    int endAt6 = -1;
    while (groups < max) {
      for (int k = 0; k < width; k++) {
        if (!isHex(ctx.peek(j + k))) {
          return pick(width, groups, lastEnd, endAt6);
        }
      }
      j += width;
      groups++;
      lastEnd = j;
      if (groups == (width == 2 ? 6 : 3)) {
        endAt6 = j;
      }
      int next = ctx.peek(j);
      if (isHex(next) || next == '_' || Character.isLetter(Math.max(next, 0))) {
        return -1;
      }
      if (next != sep || groups == max) {
        break;
      }
      j++;
    }
    return pick(width, groups, lastEnd, endAt6);
  }

  static int pick(int width, int groups, int lastEnd, int endAt6) {
    int shortCount = width == 2 ? 6 : 3;
    int longCount = width == 2 ? 8 : 4;
    if (groups == longCount) {
      return lastEnd;
    }
    return groups == shortCount ? endAt6 : -1;
  }

  static boolean isIpv6Char(int c) {
    return isHex(c) || c == ':' || c == '.';
  }

  /** Dotted-quad IPv4 at {@code i}; returns its end, or -1. */
  static int ipv4(Scanner.Ctx ctx, int i) {
    int j = i;
    for (int octet = 0; octet < 4; octet++) {
      int v = 0;
      int len = 0;
      int first = ctx.peek(j);
      while (len < 4 && isDigit(ctx.peek(j))) {
        v = v * 10 + (ctx.peek(j) - '0');
        j++;
        len++;
      }
      if (len == 0 || len > 3 || v > 255 || (len > 1 && first == '0')) {
        return -1;
      }
      if (octet < 3) {
        if (ctx.peek(j) != '.') {
          return -1;
        }
        j++;
      }
    }
    int after = ctx.peek(j);
    if (isAlnum(after) || after == '_' || (after == '.' && isDigit(ctx.peek(j + 1)))) {
      return -1;
    }
    return j;
  }

  /** E-mail around the '@' at {@code at}; returns the candidate start. */
  static int email(Scanner.Ctx ctx, int at) {
    CharSequence t = ctx.text;
    int s = at;
    if (at > 0 && t.charAt(at - 1) == '"') {
      // quoted local part of printable ASCII without spaces, '@' or escapes ("john.doe"@example.com)
      int k = at - 2;
      while (k >= 0 && at - k <= MAX_LOCAL + 2 && t.charAt(k) != '"') {
        char q = t.charAt(k);
        if (q <= ' ' || q >= 127 || q == '@' || q == '\\') {
          return at;
        }
        k--;
      }
      if (k < 0 || t.charAt(k) != '"' || k == at - 2) {
        return at;
      }
      s = k;
    } else {
      while (s > 0 && isLocalChar(t.charAt(s - 1))) {
        s--;
        if (at - s > MAX_LOCAL) {
          return at;
        }
      }
      while (s < at && (t.charAt(s) == '.' || t.charAt(s) == '\'')) {
        s++;
      }
      if (s == at || t.charAt(at - 1) == '.') {
        return s;
      }
      for (int k = s + 1; k < at; k++) {
        if (t.charAt(k) == '.' && t.charAt(k - 1) == '.') {
          return s;
        }
      }
    }
    int j = at + 1;
    int limit = at + 1 + 255;
    while (j < limit) {
      int c = ctx.peek(j);
      if (isAlnum(c) || c == '-' || c == '.' || (c >= 128 && Character.isLetterOrDigit(c) && !isFullWidth(c))) {
        j++;
      } else {
        break;
      }
    }
    int e = j;
    while (e > at + 1 && (t.charAt(e - 1) == '.' || t.charAt(e - 1) == '-')) {
      e--;
    }
    if (e == j && j == limit) {
      return s;
    }
    if (!domainValid(t, at + 1, e)) {
      return s;
    }
    ctx.add(FindingType.EMAIL, s, e, contextBoost(t, s, 0.9, "email", "e-mail", "mail"));
    return s;
  }

  static boolean domainValid(CharSequence t, int from, int to) {
    if (to - from < 3 || to - from > 253) {
      return false;
    }
    int labels = 0;
    int labelStart = from;
    for (int k = from; k <= to; k++) {
      if (k == to || t.charAt(k) == '.') {
        int len = k - labelStart;
        if (len == 0 || len > 63 || t.charAt(labelStart) == '-' || t.charAt(k - 1) == '-') {
          return false;
        }
        labels++;
        if (k == to) {
          return labels >= 2 && tldValid(t, labelStart, k);
        }
        labelStart = k + 1;
      }
    }
    return false;
  }

  static boolean tldValid(CharSequence t, int from, int to) {
    if (to - from < 2) {
      return false;
    }
    if (to - from > 4 && t.subSequence(from, from + 4).toString().equalsIgnoreCase("xn--")) {
      return true;
    }
    for (int k = from; k < to; k++) {
      if (!Character.isLetter(t.charAt(k))) {
        return false;
      }
    }
    return true;
  }
}
