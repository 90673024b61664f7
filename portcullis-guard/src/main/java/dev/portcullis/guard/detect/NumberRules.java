package dev.portcullis.guard.detect;

import com.google.i18n.phonenumbers.PhoneNumberMatch;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonemetadata;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import com.google.i18n.phonenumbers.metadata.DefaultMetadataDependenciesProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import static dev.portcullis.guard.detect.Chars.*;

/**
 * Identifier validators at digit and capital-letter token starts: cards, SSN, SIN, Aadhaar, phones (libphonenumber
 * with the configured region), IBAN, UK NINO and Indian PAN.
 */
final class NumberRules {
  static final Map<String, Integer> IBAN_LENGTHS = ibanLengths();

  private final PhoneNumberUtil phones = PhoneNumberUtil.getInstance();

  private final String region;

  /** Upper-case token start: IBAN, UK NINO, Indian PAN. */
  void upper(Scanner.Ctx ctx, int i) {
    char c0 = ctx.text.charAt(i);
    if (c0 == 'M' || c0 == 'N' || c0 == 'O' || c0 == 'A') {
      SecretRules.discord(ctx, i);
    }
    int c1 = ctx.peek(i + 1);
    if ((c0 == 'A' && (c1 == 'K' || c1 == 'P')) || ((c0 == 'S' || c0 == 'A') && (c1 == 'K' || c1 == 'C'))) {
      SecretRules.keyedToken(ctx, i, (char) c1);
    }
    if (!isUpper(c1)) {
      return;
    }
    int c2 = ctx.peek(i + 2);
    if (isDigit(c2)) {
      if (isDigit(ctx.peek(i + 3))) {
        iban(ctx, i);
      }
      nino(ctx, i);
    } else if (c2 == ' ') {
      nino(ctx, i);
    } else if (isUpper(c2)) {
      pan(ctx, i);
    }
  }

  static void iban(Scanner.Ctx ctx, int i) {
    CharSequence t = ctx.text;
    Integer expected = IBAN_LENGTHS.get(t.subSequence(i, i + 2).toString());
    if (expected == null) {
      return;
    }
    StringBuilder compact = new StringBuilder(34);
    int j = i;
    int group = 0;
    int end = i;
    boolean spaced = false;
    while (compact.length() < expected) {
      int c = ctx.peek(j);
      if (isUpper(c) || isDigit(c)) {
        if (spaced && group == 4) {
          return;
        }
        compact.append((char) c);
        group++;
        j++;
        end = j;
      } else if (c == ' ' && group == 4 && (compact.length() == 4 || spaced)) {
        spaced = true;
        group = 0;
        j++;
      } else if (c == ' ' && group == 4 && compact.length() > 4) {
        return;
      } else {
        break;
      }
    }
    if (compact.length() != expected || isAlnum(ctx.peek(end))) {
      return;
    }
    if (Checksums.ibanMod97(compact)) {
      ctx.add(FindingType.IBAN, i, end, contextBoost(t, i, 0.95, "iban", "account", "bank"));
      ctx.skipUntil = Math.max(ctx.skipUntil, end);
    }
  }

  static final String NINO_FIRST = "ABCEGHJKLMNOPRSTWXYZ";

  static final String NINO_SECOND = "ABCEGHJKLMNPRSTWXYZ";

  static void nino(Scanner.Ctx ctx, int i) {
    CharSequence t = ctx.text;
    char a = t.charAt(i);
    char b = t.charAt(i + 1);
    if (NINO_FIRST.indexOf(a) < 0 || NINO_SECOND.indexOf(b) < 0) {
      return;
    }
    String pre = "" + a + b;
    if (pre.equals("BG") || pre.equals("GB") || pre.equals("KN") || pre.equals("NK") || pre.equals("NT")
        || pre.equals("TN") || pre.equals("ZZ")) {
      return;
    }
    int j = i + 2;
    int digits = 0;
    boolean spaced = ctx.peek(j) == ' ';
    while (digits < 6) {
      if (spaced && digits % 2 == 0) {
        if (ctx.peek(j) != ' ') {
          return;
        }
        j++;
      }
      if (!isDigit(ctx.peek(j))) {
        return;
      }
      j++;
      digits++;
    }
    if (spaced && ctx.peek(j) == ' ') {
      j++;
    }
    int suffix = ctx.peek(j);
    if (suffix < 'A' || suffix > 'D' || isAlnum(ctx.peek(j + 1))) {
      return;
    }
    ctx.add(FindingType.UK_NINO, i, j + 1, contextBoost(t, i, 0.8, "national insurance", "nino", "ni number"));
    ctx.skipUntil = Math.max(ctx.skipUntil, j + 1);
  }

  static final String PAN_HOLDER = "PCHFATBLJG";

  static void pan(Scanner.Ctx ctx, int i) {
    for (int k = 2; k < 5; k++) {
      if (!isUpper(ctx.peek(i + k))) {
        return;
      }
    }
    if (PAN_HOLDER.indexOf(ctx.text.charAt(i + 3)) < 0) {
      return;
    }
    for (int k = 5; k < 9; k++) {
      if (!isDigit(ctx.peek(i + k))) {
        return;
      }
    }
    if (!isUpper(ctx.peek(i + 9)) || isAlnum(ctx.peek(i + 10))) {
      return;
    }
    ctx.add(FindingType.IN_PAN, i, i + 10, contextBoost(ctx.text, i, 0.75, "pan", "permanent account", "income tax"));
  }

  /** Digit at a token start: IPv4, then numeric runs (card, SSN, SIN, Aadhaar, phone). Returns the candidate start. */
  int numeric(Scanner.Ctx ctx, int i) {
    CharSequence t = ctx.text;
    if (SecretRules.telegram(ctx, i)) {
      return i;
    }
    int v4 = AddressRules.ipv4(ctx, i);
    if (v4 > 0) {
      ctx.add(FindingType.IP_ADDRESS, i, v4, 0.9);
      ctx.skipUntil = v4;
      return i;
    }
    AddressRules.hex(ctx, i);
    if (ctx.skipUntil > i) {
      return i;
    }
    int start = i;
    if (i > 0 && (t.charAt(i - 1) == '+' || t.charAt(i - 1) == '(') && (i < 2 || !isWordChar(t.charAt(i - 2)))) {
      start = i - 1;
    }
    int j = i;
    int lastDigitEnd = i;
    int digits = 0;
    int seps = 0;
    int limit = i + 40;
    while (j < limit) {
      int c = ctx.peek(j);
      if (isDigit(c)) {
        digits++;
        seps = 0;
        lastDigitEnd = j + 1;
      } else if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/' || c == '\u00A0') {
        if (++seps > 2) {
          break;
        }
      } else {
        break;
      }
      j++;
    }
    ctx.skipUntil = j;
    ctx.run(start, j);
    if (digits < 7 || (lastDigitEnd < t.length() && Character.isLetter(t.charAt(lastDigitEnd)))) {
      return start;
    }
    int before = ctx.found.size();
    boolean international = t.charAt(start) == '+';
    if (!international) {
      numberRun(ctx, i, lastDigitEnd, digits);
    }
    if (ctx.found.size() == before + 1 && weakAadhaar(ctx.found.get(before)) && validPhone(t, start, lastDigitEnd)) {
      ctx.found.remove(before);
    }
    if (ctx.found.size() == before && digits <= 30) {
      phone(ctx, start, lastDigitEnd, digits);
    }
    return start;
  }

  /**
   * A 12-digit run reported as Aadhaar on the checksum alone (no context word, tenant region not India): one random
   * 12-digit number in ten passes Verhoeff, so a run that is also a valid phone number of the tenant's region (a
   * country code without '+', say) is reported as the phone number instead.
   */
  private boolean weakAadhaar(Finding f) {
    return f.type() == FindingType.IN_AADHAAR && f.confidence() < 0.75 && !region.equals("IN");
  }

  private boolean validPhone(CharSequence t, int start, int end) {
    try {
      return phones.isValidNumber(phones.parse(t.subSequence(start, end), region));
    } catch (com.google.i18n.phonenumbers.NumberParseException notANumber) {
      return false;
    }
  }

  /** Length-based numeric identifiers over the run {@code [i, end)} that holds {@code digits} digits. */
  static void numberRun(Scanner.Ctx ctx, int i, int end, int digits) {
    CharSequence t = ctx.text;
    StringBuilder d = new StringBuilder(digits);
    List<Integer> groups = new ArrayList<>(6);
    char sep = 0;
    boolean mixedSeps = false;
    int g = 0;
    for (int k = i; k < end; k++) {
      char c = t.charAt(k);
      if (isDigit(c)) {
        d.append(c);
        g++;
      } else {
        if (g > 0) {
          groups.add(g);
        }
        g = 0;
        if (sep == 0) {
          sep = c;
        } else if (sep != c) {
          mixedSeps = true;
        }
      }
    }
    groups.add(g);
    boolean plain = groups.size() == 1;
    boolean cleanSeps = !mixedSeps && (sep == 0 || sep == ' ' || sep == '-');
    if (digits >= 13 && digits <= 19 && cleanSeps && Checksums.luhn(d) && issuer(d)) {
      ctx.add(FindingType.CREDIT_CARD, i, end, contextBoost(t, i, 0.9, "card", "visa", "mastercard", "amex", "credit", "cc"));
      return;
    }
    boolean dotted = !mixedSeps && sep == '.';
    if (digits == 9 && (cleanSeps || dotted)) {
      boolean ssnShape = groups.equals(List.of(3, 2, 4));
      if (dotted && !ssnShape) {
        return;
      }
      boolean sinShape = groups.equals(List.of(3, 3, 3));
      if (ssnShape || (plain && hasContext(t, i, "ssn", "social security"))) {
        if (ssnValid(d)) {
          ctx.add(FindingType.US_SSN, i, end, contextBoost(t, i, ssnShape ? 0.85 : 0.75, "ssn", "social security"));
          return;
        }
      }
      if ((sinShape || (plain && hasContext(t, i, "sin", "social insurance"))) && Checksums.luhn(d)
          && d.charAt(0) != '0' && d.charAt(0) != '8') {
        ctx.add(FindingType.CA_SIN, i, end, contextBoost(t, i, sinShape ? 0.8 : 0.75, "sin", "social insurance"));
        return;
      }
    }
    if (digits == 12 && cleanSeps && (plain || groups.equals(List.of(4, 4, 4))) && d.charAt(0) >= '2'
        && Checksums.verhoeff(d)) {
      ctx.add(FindingType.IN_AADHAAR, i, end, contextBoost(t, i, 0.7, "aadhaar", "aadhar", "uid"));
    }
  }

  static boolean ssnValid(CharSequence d) {
    int area = Integer.parseInt(d.subSequence(0, 3).toString());
    int group = Integer.parseInt(d.subSequence(3, 5).toString());
    int serial = Integer.parseInt(d.subSequence(5, 9).toString());
    return area != 0 && area != 666 && area < 900 && group != 0 && serial != 0;
  }

  /** Issuer identification ranges of the major card networks. */
  static boolean issuer(CharSequence d) {
    int len = d.length();
    int p2 = Integer.parseInt(d.subSequence(0, 2).toString());
    int p4 = Integer.parseInt(d.subSequence(0, 4).toString());
    int p3 = p4 / 10;
    int p6 = Integer.parseInt(d.subSequence(0, 6).toString());
    if (d.charAt(0) == '4') {
      return len == 13 || len == 16 || len == 19;
    }
    if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) {
      return len == 16;
    }
    if (p2 == 34 || p2 == 37) {
      return len == 15;
    }
    if (p4 == 6011 || p2 == 65 || (p3 >= 644 && p3 <= 649) || (p6 >= 622126 && p6 <= 622925)) {
      return len >= 16;
    }
    if (p4 >= 3528 && p4 <= 3589) {
      return len >= 16;
    }
    if ((p3 >= 300 && p3 <= 305) || p2 == 36 || p2 == 38 || p2 == 39 || p4 == 3095) {
      return len >= 14;
    }
    if (p2 == 62 || p2 == 81) {
      return len >= 16;
    }
    if (p2 == 50 || (p2 >= 56 && p2 <= 69)) {
      return len >= 12;
    }
    return p4 == 2200 || p4 == 2201 || p4 == 2202 || p4 == 2203 || p4 == 2204;
  }

  /** Confidence of a number that fits its country's plan in length but is not (yet) assigned there. */
  static final double POSSIBLE_PHONE = 0.6;

  /**
   * Phone numbers in the run {@code [start, end)}: the whole run parsed and validated first (the common case, about
   * 25 µs); only a run too long for one number goes through libphonenumber's matcher, which finds several.
   *
   * <p>Two tiers. A number valid in the numbering plan (assigned ranges) is reported at 0.75, or 0.85 with a country
   * code. A number that is only <em>possible</em> (right length for its country, range not assigned in
   * libphonenumber's metadata: test numbers, new ranges, stale metadata) is reported at {@link #POSSIBLE_PHONE} when
   * it is written the way phone numbers are and little else is: with an explicit country code ({@code +420 123 456
   * 789}, or {@code 00} + a country code where the region dials out with something else) or with a bracketed area
   * code ({@code (22) 9956-7894}). A bare national digit run must be valid: 9 random digits are possible almost
   * everywhere.
   */
  private void phone(Scanner.Ctx ctx, int start, int end, int digits) {
    CharSequence window = ctx.text.subSequence(start, end);
    boolean plus = window.charAt(0) == '+';
    double base = plus ? 0.85 : 0.75;
    if (digits <= 15) {
      PhoneNumber number = parse(window, region);
      boolean idd = !plus && digits >= 9 && window.charAt(0) == '0' && window.charAt(1) == '0';
      if (idd) {
        PhoneNumber international = parse("+" + window.subSequence(2, window.length()), region);
        if (international != null && (number == null || !phones.isValidNumber(number))) {
          number = international;
        } else {
          idd = false;
        }
      }
      if (number == null) {
        return;
      }
      if (phones.isValidNumber(number)) {
        ctx.add(FindingType.PHONE, start, end, contextBoost(ctx.text, start, plus || idd ? 0.85 : base, PHONE_WORDS));
      } else if ((plus || idd || bracketedAreaCode(window)) && inNumberingPlan(number)) {
        ctx.add(FindingType.PHONE, start, end, contextBoost(ctx.text, start, POSSIBLE_PHONE, PHONE_WORDS));
      }
      return;
    }
    for (PhoneNumberMatch m : phones.findNumbers(window, region, PhoneNumberUtil.Leniency.VALID, 16)) {
      ctx.add(FindingType.PHONE, start + m.start(), start + m.end(), contextBoost(ctx.text, start, base, PHONE_WORDS));
    }
  }

  /**
   * Whether {@code number} has a possible length for its country and the shape of that country's numbering plan
   * (libphonenumber's general description: leading digits and lengths of every number type together), without being
   * in an assigned range.
   */
  private boolean inNumberingPlan(PhoneNumber number) {
    if (phones.isPossibleNumberWithReason(number) != PhoneNumberUtil.ValidationResult.IS_POSSIBLE) {
      return false;
    }
    String nsn = phones.getNationalSignificantNumber(number);
    for (String r : phones.getRegionCodesForCountryCode(number.getCountryCode())) {
      Pattern general = GENERAL_PATTERNS.computeIfAbsent(r, NumberRules::generalPattern);
      if (general.matcher(nsn).matches()) {
        return true;
      }
    }
    return false;
  }

  /** One entry per region of libphonenumber's metadata (about 250), so bounded. */
  private static final Map<String, Pattern> GENERAL_PATTERNS = new ConcurrentHashMap<>();

  private static Pattern generalPattern(String region) {
    Phonemetadata.PhoneMetadata m = DefaultMetadataDependenciesProvider.getInstance().getPhoneNumberMetadataSource()
        .getMetadataForRegion(region);
    return m == null || !m.hasGeneralDesc() ? NEVER : Pattern.compile(m.getGeneralDesc().getNationalNumberPattern());
  }

  private static final Pattern NEVER = Pattern.compile("(?!)");

  private static final String[] PHONE_WORDS = {"phone", "tel", "call", "mobile", "cell", "fax", "whatsapp"};

  private PhoneNumber parse(CharSequence text, String region) {
    try {
      return phones.parse(text, region);
    } catch (com.google.i18n.phonenumbers.NumberParseException notANumber) {
      return null;
    }
  }

  /** {@code (d{2,5})} followed by more digits: an area code in brackets, as national formats write it. */
  static boolean bracketedAreaCode(CharSequence w) {
    int open = -1;
    for (int k = 0; k < w.length(); k++) {
      if (w.charAt(k) == '(') {
        open = k;
        break;
      }
    }
    if (open < 0) {
      return false;
    }
    int k = open + 1;
    while (k < w.length() && isDigit(w.charAt(k))) {
      k++;
    }
    int inside = k - open - 1;
    if (inside < 2 || inside > 5 || k >= w.length() || w.charAt(k) != ')') {
      return false;
    }
    for (int r = k + 1; r < w.length(); r++) {
      if (isDigit(w.charAt(r))) {
        return true;
      }
    }
    return false;
  }

  static Map<String, Integer> ibanLengths() {
    String spec = "AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BI27 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DJ27 DK18 DO28 "
        + "EE20 EG29 ES24 FI18 AX18 FK18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HR21 HU28 IE22 IL23 IQ23 IS26 IT27 "
        + "JO30 KW30 KZ20 LB28 LC32 LI21 LT20 LU20 LV21 LY25 MC27 MD24 ME22 MK19 MN20 MR27 MT31 MU30 NI28 NL18 NO15 "
        + "OM23 PK24 PL28 PS29 PT25 QA29 RO24 RS22 RU33 SA24 SC31 SD18 SE24 SI19 SK24 SM27 SO23 ST25 SV28 TL23 TN24 "
        + "TR26 UA29 VA22 VG24 XK20 YE30 GF27 GP27 MQ27 RE27 PF27 TF27 YT27 NC27 PM27 WF27 BL27 MF27 IM22 JE22 GG22 "
        + "AO25 BF28 BJ28 CF27 CG27 CI28 CM27 CV25 DZ26 GA27 GQ27 GW25 HN28 IR26 KM27 MA28 MG27 ML28 MZ25 NE28 SN28 "
        + "TD27 TG28";
    java.util.HashMap<String, Integer> m = new java.util.HashMap<>();
    for (String e : spec.split(" ")) {
      m.put(e.substring(0, 2), Integer.parseInt(e.substring(2)));
    }
    return Map.copyOf(m);
  }

  NumberRules(String region) {
    this.region = region;
  }
}
