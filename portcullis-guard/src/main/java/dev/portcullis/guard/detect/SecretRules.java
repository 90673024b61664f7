package dev.portcullis.guard.detect;

import dev.portcullis.guard.text.LiteralAutomaton;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static dev.portcullis.guard.detect.Chars.*;

/**
 * Credential validators: the literal anchors (secret prefixes and key words) compiled into the scanner's automaton,
 * and the checks run where an anchor ends or a token starts.
 */
final class SecretRules {
  enum Anchor {
    AWS("akia", "asia", "abia", "acca", "a3t"),
    GOOGLE("aiza"),
    GITHUB("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
    GITLAB("glpat-", "gldt-", "glsoat-", "glcbt-", "glimt-", "glptt-", "glagent-", "gloas-", "glrt-", "glft-", "gr1348941"),
    SLACK("xox"),
    SLACK_HOOK("hooks.slack.com/services/"),
    STRIPE("sk_live_", "rk_live_", "sk_test_", "rk_test_"),
    OPENAI("sk-"),
    JWT("eyj"),
    PEM("-----begin "),
    NPM("registry.npmjs.org/:_authtoken=", "npm_"),
    PYPI("pypi-ageichlwas5vcmc", "pypi-agendgvzdc5wexbplm9yzw"),
    SENDGRID("sg."),
    BASIC_AUTH("://"),
    AZURE("accountkey="),
    SQUARE("sq0csp-", "sq0atp-"),
    KEYWORD("password", "passwd", "pwd", "secret", "token", "apikey", "api_key", "api-key", "access_key", "accesskey",
        "credential", "auth_key");

    final String[] literals;

    Anchor(String... literals) {
      this.literals = literals;
    }
  }

  private final LiteralAutomaton automaton;

  private final Anchor[] anchorOf;

  SecretRules() {
    List<String> lits = new ArrayList<>();
    List<Anchor> owners = new ArrayList<>();
    for (Anchor a : Anchor.values()) {
      for (String l : a.literals) {
        lits.add(l);
        owners.add(a);
      }
    }
    this.automaton = LiteralAutomaton.compile(lits, LiteralAutomaton.lowerCaseFold());
    this.anchorOf = owners.toArray(new Anchor[0]);
  }

  LiteralAutomaton automaton() {
    return automaton;
  }

  /** A literal ended at {@code end}; returns the candidate start. */
  int anchor(Scanner.Ctx ctx, int id, int end) {
    int start = end - automaton.length(id);
    Anchor a = anchorOf[id];
    switch (a) {
      case AWS -> aws(ctx, start);
      case GOOGLE -> fixedToken(ctx, start, "AIza", 35, FindingType.GOOGLE_API_KEY, 0.9);
      case GITHUB -> github(ctx, start, end);
      case GITLAB -> gitlab(ctx, start, end);
      case SLACK -> slack(ctx, start);
      case SLACK_HOOK -> slackHook(ctx, start, end);
      case STRIPE -> {
        if (boundaryBefore(ctx, start) && ctx.text.charAt(start) != 'S' && ctx.text.charAt(start) != 'R') {
          int e = tokenEnd(ctx, end, 256, false);
          if (e - end >= 16) {
            ctx.add(FindingType.STRIPE_KEY, start, e, 0.95);
          }
        }
      }
      case OPENAI -> openai(ctx, start, end);
      case JWT -> jwt(ctx, start);
      case PEM -> pem(ctx, start, end);
      case NPM -> npm(ctx, start, end, id);
      case PYPI -> {
        if (ctx.text.charAt(start) == 'p' && boundaryBefore(ctx, start)) {
          int e = tokenEnd(ctx, start + 5, 512, false);
          if (e - start - 5 >= 85) {
            ctx.add(FindingType.PYPI_TOKEN, start, e, 0.95);
          }
        }
      }
      case SENDGRID -> sendgrid(ctx, start);
      case AZURE -> {
        if (regionEquals(ctx.text, start, "AccountKey=")) {
          int j = end;
          while (j < end + 128) {
            int c = ctx.peek(j);
            if (isAlnum(c) || c == '+' || c == '/' || c == '=') {
              j++;
            } else {
              break;
            }
          }
          if (j - end >= 80) {
            ctx.add(FindingType.AZURE_STORAGE_KEY, end, j, 0.95);
          }
        }
      }
      case SQUARE -> {
        if (lowerPrefix(ctx.text, start, end) && boundaryBefore(ctx, start)) {
          int j = end;
          while (j < end + 64) {
            int c = ctx.peek(j);
            if (isTokenChar(c) || c == '\\') {
              j++;
            } else {
              break;
            }
          }
          if (j - end >= 22) {
            ctx.add(FindingType.SQUARE_TOKEN, start, j, 0.9);
          }
        }
      }
      case BASIC_AUTH -> {
        return basicAuth(ctx, start, end);
      }
      case KEYWORD -> {
        return keyword(ctx, start, end);
      }
    }
    return start;
  }

  private void aws(Scanner.Ctx ctx, int start) {
    CharSequence t = ctx.text;
    if (!isUpper(t.charAt(start)) || !(isUpper(t.charAt(start + 1)) || isDigit(t.charAt(start + 1)))
        || !boundaryBefore(ctx, start)) {
      return;
    }
    int j = start;
    while (j < start + 21) {
      int c = ctx.peek(j);
      if (isUpper(c) || isDigit(c)) {
        j++;
      } else {
        break;
      }
    }
    if (j - start == 20 && !isAlnum(ctx.peek(j))) {
      ctx.add(FindingType.AWS_ACCESS_KEY, start, j, 0.95);
    }
  }

  static void fixedToken(Scanner.Ctx ctx, int start, String prefix, int bodyLength, FindingType type, double conf) {
    if (!regionEquals(ctx.text, start, prefix)) {
      return;
    }
    if (!boundaryBefore(ctx, start)) {
      return;
    }
    int bodyStart = start + prefix.length();
    int e = tokenEnd(ctx, bodyStart, bodyLength + 1, false);
    if (e - bodyStart == bodyLength) {
      ctx.add(type, start, e, conf);
    }
  }

  static void github(Scanner.Ctx ctx, int start, int end) {
    if (!lowerPrefix(ctx.text, start, end) || !boundaryBefore(ctx, start)) {
      return;
    }
    boolean fineGrained = end - start > 4;
    int e = tokenEnd(ctx, end, 256, false);
    int len = e - end;
    if (fineGrained ? len >= 60 : len >= 36 && len <= 255) {
      ctx.add(FindingType.GITHUB_TOKEN, start, e, 0.95);
    }
  }

  static void gitlab(Scanner.Ctx ctx, int start, int end) {
    CharSequence t = ctx.text;
    boolean runner = t.charAt(start) == 'G';
    if (runner ? !regionEquals(t, start, "GR1348941") : !lowerPrefix(t, start, end)) {
      return;
    }
    if (!boundaryBefore(ctx, start)) {
      return;
    }
    String prefix = t.subSequence(start, end).toString();
    int e = tokenEnd(ctx, end, 300, prefix.equals("glpat-"));
    int len = e - end;
    boolean ok = switch (prefix) {
      case "glimt-" -> len == 25;
      case "glptt-" -> len == 40;
      case "gloas-" -> len == 64;
      case "glagent-" -> len >= 50 && len <= 1024 && !oneSymbol(t, end, e);
      case "glpat-", "gldt-", "glrt-", "glft-" -> len >= 20 && len <= 300;
      default -> len >= 20 && len <= 50;
    };
    if (ok) {
      ctx.add(FindingType.GITLAB_TOKEN, start, e, 0.95);
    }
  }

  static void slack(Scanner.Ctx ctx, int start) {
    CharSequence t = ctx.text;
    if (!lowerPrefix(t, start, start + 3) || !boundaryBefore(ctx, start)) {
      return;
    }
    int kind = ctx.peek(start + 3);
    if (kind < 'a' || kind > 'z' || ctx.peek(start + 4) != '-') {
      return;
    }
    int e = tokenEnd(ctx, start + 5, 256, false);
    if (e - start - 5 >= 10 && hasDigit(t, start + 5, e)) {
      ctx.add(FindingType.SLACK_TOKEN, start, e, 0.95);
    }
  }

  static void slackHook(Scanner.Ctx ctx, int start, int end) {
    int s = start;
    if (s >= 8 && ctx.text.subSequence(s - 8, s).toString().equalsIgnoreCase("https://")) {
      s -= 8;
    }
    int j = end;
    while (j < end + 256) {
      int c = ctx.peek(j);
      if (isTokenChar(c) || c == '/') {
        j++;
      } else {
        break;
      }
    }
    if (j - end >= 20) {
      ctx.add(FindingType.SLACK_TOKEN, s, j, 0.95);
    }
  }

  static void openai(Scanner.Ctx ctx, int start, int end) {
    CharSequence t = ctx.text;
    if (t.charAt(start) != 's' || t.charAt(start + 1) != 'k' || !boundaryBefore(ctx, start)) {
      return;
    }
    int e = tokenEnd(ctx, end, 400, false);
    String body = t.subSequence(end, e).toString();
    if (body.startsWith("ant-")) {
      if (body.length() >= 44 && (body.startsWith("ant-api") || body.startsWith("ant-admin"))) {
        ctx.add(FindingType.ANTHROPIC_KEY, start, e, 0.95);
      }
      return;
    }
    boolean marker = body.contains("T3BlbkFJ");
    boolean scoped = body.startsWith("proj-") || body.startsWith("svcacct-") || body.startsWith("admin-");
    if ((marker && body.length() >= 40) || (scoped && body.length() >= 100 && hasDigit(t, end, e))) {
      ctx.add(FindingType.OPENAI_KEY, start, e, marker ? 0.95 : 0.85);
    }
  }

  static void jwt(Scanner.Ctx ctx, int start) {
    CharSequence t = ctx.text;
    if (!regionEquals(t, start, "eyJ") || !boundaryBefore(ctx, start)) {
      return;
    }
    int[] dots = new int[2];
    int parts = 0;
    int j = start;
    int limit = start + 4096;
    while (j < limit) {
      int c = ctx.peek(j);
      if (isTokenChar(c)) {
        j++;
      } else if (c == '.' && parts < 2 && isTokenChar(ctx.peek(j + 1))) {
        dots[parts++] = j;
        j++;
      } else {
        break;
      }
    }
    if (parts < 1) {
      return;
    }
    String header = decodeUrl(t, start, dots[0]);
    String payload = decodeUrl(t, dots[0] + 1, parts == 2 ? dots[1] : j);
    if (header == null || payload == null) {
      return;
    }
    String h = header.strip();
    if (h.startsWith("{") && h.endsWith("}") && (h.contains("\"alg\"") || h.contains("\"typ\""))
        && payload.strip().startsWith("{")) {
      ctx.add(FindingType.JWT, start, j, 0.95);
    }
  }

  static String decodeUrl(CharSequence t, int from, int to) {
    if (to - from < 4) {
      return null;
    }
    String s = t.subSequence(from, to).toString();
    if (s.length() % 4 == 1) {
      return null;
    }
    try {
      return new String(Base64.getUrlDecoder().decode(s), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException badEncoding) {
      return null;
    }
  }

  static void pem(Scanner.Ctx ctx, int start, int end) {
    CharSequence t = ctx.text;
    if (!regionEquals(t, start, "-----BEGIN ")) {
      return;
    }
    int j = end;
    int limit = start + 80;
    while (j < limit) {
      int c = ctx.peek(j);
      if (isUpper(c) || isDigit(c) || c == ' ') {
        j++;
      } else {
        break;
      }
    }
    String label = t.subSequence(end, j).toString();
    if (!label.endsWith("PRIVATE KEY") || !regionEqualsPeek(ctx, j, "-----")) {
      return;
    }
    int headerEnd = j + 5;
    int cap = start + Scanner.MAX_LOOKAHEAD;
    int k = headerEnd;
    int bodyEnd = headerEnd;
    // Lines may be separated by real, JSON-escaped (\n, \\n) or flattened (space) line breaks. Header to END footer is
    // one finding. Unterminated, the finding covers body lines while each follows a line break, or is long enough
    // after a space not to be a word of prose (base64 lines are 64 characters).
    boolean lineBreak = true;
    boolean extending = true;
    int lineStart = -1;
    while (k < cap) {
      int c = ctx.peek(k);
      if (c == '-' && regionEqualsPeek(ctx, k, "-----END ")) {
        int m = k + 9;
        while (m < cap && ctx.peek(m) != '\n' && ctx.peek(m) >= 0) {
          m++;
          if (m >= 5 && regionEquals(t, m - 5, "-----") && m - 5 > k + 9) {
            ctx.add(FindingType.PRIVATE_KEY, start, m, 1.0);
            return;
          }
        }
        break;
      }
      int step;
      boolean separator;
      if (c == '\\') {
        int e = pemEscape(ctx, k, cap);
        step = Math.abs(e);
        separator = e < 0;
      } else {
        step = isPemBody(c) || isPemSeparator(c) ? 1 : 0;
        separator = isPemSeparator(c);
      }
      if (step == 0) {
        break;
      }
      if (!separator) {
        lineStart = lineStart < 0 ? k : lineStart;
      } else {
        boolean breaks = c != ' ' && c != '\t';
        if (lineStart >= 0) {
          extending = extending && (lineBreak || k - lineStart >= 16);
          bodyEnd = extending ? k : bodyEnd;
          lineStart = -1;
          lineBreak = breaks;
        } else {
          lineBreak = k == headerEnd ? breaks : lineBreak || breaks;
        }
      }
      k += step;
    }
    if (lineStart >= 0 && extending && (lineBreak || k - lineStart >= 16)) {
      bodyEnd = k;
    }
    ctx.add(FindingType.PRIVATE_KEY, start, bodyEnd, 0.95);
  }

  /** Base64 and the header lines of legacy encrypted keys ({@code Proc-Type: 4,ENCRYPTED}, {@code DEK-Info: …}). */
  private static boolean isPemBody(int c) {
    return c == '+' || c == '/' || c == '=' || c == ':' || c == ',' || c == '-' || isAlnum(c);
  }

  private static boolean isPemSeparator(int c) {
    return c == '\n' || c == '\r' || c == ' ' || c == '\t';
  }

  /**
   * A JSON escape inside a PEM body at {@code k} (one or more backslashes, as in text escaped once or twice): its
   * length, negative for an escaped line break or tab, positive for an escaped body character ({@code \/},
   * or a 4-hex-digit escape of one, as .NET writes {@code +}); 0 if it is neither or would read past {@code cap}.
   */
  private static int pemEscape(Scanner.Ctx ctx, int k, int cap) {
    int m = k;
    while (m < cap && m - k < 8 && ctx.peek(m) == '\\') {
      m++;
    }
    if (m >= cap) {
      return 0;
    }
    int c = ctx.peek(m);
    if (c == 'n' || c == 'r' || c == 't') {
      return -(m + 1 - k);
    }
    if (c == '/') {
      return m + 1 - k;
    }
    if (c == 'u' && m + 4 < cap) {
      int v = 0;
      for (int i = 1; i <= 4; i++) {
        int h = ctx.peek(m + i);
        if (!isHex(h)) {
          return 0;
        }
        v = v * 16 + Character.digit(h, 16);
      }
      return isPemBody(v) ? m + 5 - k : isPemSeparator(v) ? -(m + 5 - k) : 0;
    }
    return 0;
  }

  static void npm(Scanner.Ctx ctx, int start, int end, int id) {
    CharSequence t = ctx.text;
    if (t.charAt(start) == 'n') {
      if (regionEquals(t, start, "npm_") && boundaryBefore(ctx, start)) {
        int e = tokenEnd(ctx, end, 64, false);
        if (e - end == 36) {
          ctx.add(FindingType.NPM_TOKEN, start, e, 0.9);
        }
      }
      return;
    }
    if (start < 2 || t.charAt(start - 1) != '/' || t.charAt(start - 2) != '/') {
      return;
    }
    int j = end;
    while (j < end + 16 && ctx.peek(j) == ' ') {
      j++;
    }
    if (ctx.peek(j) == '$') {
      return;
    }
    int e = tokenEnd(ctx, j, 256, false);
    if (e - j >= 10) {
      ctx.add(FindingType.NPM_TOKEN, start - 2, e, 0.95);
    }
  }

  static void sendgrid(Scanner.Ctx ctx, int start) {
    CharSequence t = ctx.text;
    if (!regionEquals(t, start, "SG.") || !boundaryBefore(ctx, start)) {
      return;
    }
    int a = tokenEnd(ctx, start + 3, 23, false);
    if (a - start - 3 != 22 || ctx.peek(a) != '.') {
      return;
    }
    int b = tokenEnd(ctx, a + 1, 44, false);
    if (b - a - 1 == 43) {
      ctx.add(FindingType.SENDGRID_KEY, start, b, 0.95);
    }
  }

  static boolean isUserInfoChar(int c) {
    return c > ' ' && c < 127 && c != ':' && c != '/' && c != '?' && c != '#' && c != '@' && c != '"' && c != '\''
        && c != '<' && c != '>' && c != '[' && c != ']' && c != '%' && c != '{' && c != '}';
  }

  static int basicAuth(Scanner.Ctx ctx, int start, int end) {
    CharSequence t = ctx.text;
    int s = start;
    while (s > 0 && start - s < 16 && Character.isLetter(t.charAt(s - 1))) {
      s--;
    }
    if (s == start) {
      return start;
    }
    int j = end;
    int limit = end + 256;
    int colon = -1;
    while (j < limit) {
      int c = ctx.peek(j);
      if (c == ':' && colon < 0) {
        colon = j;
        j++;
      } else if (isUserInfoChar(c)) {
        j++;
      } else {
        break;
      }
    }
    if (colon > end && j > colon + 1 && ctx.peek(j) == '@' && isAlnum(ctx.peek(j + 1))) {
      ctx.add(FindingType.BASIC_AUTH_URL, end, j, 0.9);
    }
    return s;
  }

  /** {@code name = value} where the name contains a key word and the value looks random. */
  static int keyword(Scanner.Ctx ctx, int kwStart, int kwEnd) {
    CharSequence t = ctx.text;
    int s = kwStart;
    while (s > 0 && kwStart - s < MAX_LOCAL && isIdentChar(t.charAt(s - 1))) {
      s--;
    }
    int j = kwEnd;
    while (j < kwEnd + MAX_LOCAL && isIdentChar(ctx.peek(j))) {
      j++;
    }
    String name = t.subSequence(s, Math.min(j, t.length())).toString().toLowerCase(java.util.Locale.ROOT);
    int c = ctx.peek(j);
    if (c == '"' || c == '\'') {
      j++;
    }
    int spaces = j + 16;
    while (j < spaces && (ctx.peek(j) == ' ' || ctx.peek(j) == '\t')) {
      j++;
    }
    c = ctx.peek(j);
    if (c == ':') {
      j++;
      if (ctx.peek(j) == '=') {
        j++;
      }
    } else if (c == '=') {
      j++;
      int d = ctx.peek(j);
      if (d == '=') {
        return s;
      }
      if (d == '>') {
        j++;
      }
    } else {
      return s;
    }
    spaces = j + 16;
    while (j < spaces && (ctx.peek(j) == ' ' || ctx.peek(j) == '\t')) {
      j++;
    }
    int q = ctx.peek(j);
    boolean quoted = q == '"' || q == '\'' || q == '`';
    if (quoted) {
      j++;
    }
    int vStart = j;
    int limit = vStart + 256;
    while (j < limit) {
      int v = ctx.peek(j);
      if (v < 0 || v <= ' ' || v == '"' || v == '\'' || v == '`' || v == ',' || v == ';' || v == ')' || v == '}'
          || v == ']' || v == '>' || v == '<') {
        break;
      }
      j++;
    }
    int vEnd = j;
    if (quoted && ctx.peek(vEnd) != q) {
      return s;
    }
    int len = vEnd - vStart;
    if (len < 8 || len >= 256) {
      return s;
    }
    char first = t.charAt(vStart);
    if (first == '$' || first == '%' || first == '{' || first == '<') {
      return s;
    }
    String value = t.subSequence(vStart, vEnd).toString();
    if (name.contains("aws")) {
      if (len == 40 && value.chars().allMatch(ch -> isAlnum(ch) || ch == '/' || ch == '+')) {
        ctx.add(FindingType.AWS_SECRET_KEY, vStart, vEnd, 0.9);
      }
      return s;
    }
    if (looksRandom(value)) {
      ctx.add(FindingType.GENERIC_SECRET, vStart, vEnd, 0.8);
    }
    return s;
  }

  static boolean isIdentChar(int c) {
    return isAlnum(c) || c == '_' || c == '-' || c == '.';
  }

  static boolean looksRandom(String v) {
    boolean lower = false;
    boolean upper = false;
    boolean digit = false;
    boolean letter;
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      lower |= c >= 'a' && c <= 'z';
      upper |= c >= 'A' && c <= 'Z';
      digit |= c >= '0' && c <= '9';
    }
    letter = lower || upper;
    boolean mixed = (digit && letter) || (upper && lower && v.length() >= 12);
    return mixed && Checksums.entropy(v) >= 3.0;
  }

  /** Discord bot token: 24–26, '.', 6, '.', 27 or 38 token characters. */
  static void discord(Scanner.Ctx ctx, int i) {
    int a = tokenEnd(ctx, i, 27, false);
    if (a - i < 24 || a - i > 26 || ctx.peek(a) != '.') {
      return;
    }
    int b = tokenEnd(ctx, a + 1, 7, false);
    if (b - a - 1 != 6 || ctx.peek(b) != '.') {
      return;
    }
    int c = tokenEnd(ctx, b + 1, 39, false);
    int len = c - b - 1;
    if ((len == 27 || len == 38) && hasDigit(ctx.text, i, a)) {
      ctx.add(FindingType.DISCORD_TOKEN, i, c, 0.9);
    }
  }

  /** Artifactory ({@code AKC…}, {@code AP[0-9A-F]…}) and Twilio ({@code SK…}, {@code AC…} + 32) keys. */
  static void keyedToken(Scanner.Ctx ctx, int i, char second) {
    char first = ctx.text.charAt(i);
    int e = tokenEnd(ctx, i, 80, false);
    int len = e - i;
    boolean lowerOrDigit = false;
    boolean lower = false;
    for (int k = i + 2; k < e; k++) {
      char c = ctx.text.charAt(k);
      lower |= c >= 'a' && c <= 'z';
      lowerOrDigit |= (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    }
    if (len == 34 && (first == 'S' || first == 'A') && (second == 'K' || second == 'C') && lower
        && allLowerAlnum(ctx.text, i + 2, e)) {
      ctx.add(FindingType.TWILIO_KEY, i, e, 0.85);
      return;
    }
    if (first != 'A') {
      return;
    }
    if (second == 'K' && len >= 13 && ctx.text.charAt(i + 2) == 'C' && lowerOrDigit && allAlnum(ctx.text, i, e)) {
      ctx.add(FindingType.ARTIFACTORY_TOKEN, i, e, 0.8);
    } else if (second == 'P' && len >= 11 && isHexUpperOrDigit(ctx.text.charAt(i + 2)) && lowerOrDigit
        && allAlnum(ctx.text, i, e)) {
      ctx.add(FindingType.ARTIFACTORY_TOKEN, i, e, 0.8);
    }
  }

  /** Mailchimp API key: 32 lower-case hex digits, "-us", 1–2 digits. */
  static void mailchimp(Scanner.Ctx ctx, int i) {
    int j = i;
    while (j < i + 33) {
      int c = ctx.peek(j);
      if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) {
        j++;
      } else {
        break;
      }
    }
    if (j - i != 32 || ctx.peek(j) != '-' || ctx.peek(j + 1) != 'u' || ctx.peek(j + 2) != 's'
        || !isDigit(ctx.peek(j + 3))) {
      return;
    }
    int e = j + 4;
    if (isDigit(ctx.peek(e))) {
      e++;
    }
    if (!isAlnum(ctx.peek(e))) {
      ctx.add(FindingType.MAILCHIMP_KEY, i, e, 0.9);
      ctx.skipUntil = e;
    }
  }

  /** Telegram bot token: 8–10 digits, ':', 35 token characters. */
  static boolean telegram(Scanner.Ctx ctx, int i) {
    int j = i;
    while (j < i + 11 && isDigit(ctx.peek(j))) {
      j++;
    }
    if (j - i < 8 || j - i > 10 || ctx.peek(j) != ':') {
      return false;
    }
    int e = tokenEnd(ctx, j + 1, 36, false);
    if (e - j - 1 != 35) {
      return false;
    }
    ctx.add(FindingType.TELEGRAM_TOKEN, i, e, 0.9);
    ctx.skipUntil = e;
    return true;
  }
}
