package dev.portcullis.guard.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import dev.portcullis.guard.detect.Finding;
import dev.portcullis.guard.detect.FindingType;
import dev.portcullis.guard.detect.Scanner;
import dev.portcullis.guard.detect.ScannerConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scores the scanner on the labelled PII/secret cases ({@code data/pii-dev.jsonl}). A whole-value case ("is this
 * string a valid X") counts as detected when one finding of the expected type covers the whole string; a
 * free-text case (no {@code semantics}, the secret-scanner lines) when any finding of the expected kind is in it.
 * Phones are scanned with the region of the case's locale; cases without one are reported in their own row, and so
 * are validator.js cases run with non-default options (display names, host lists, no separators...).
 *
 * <p>Two label rules add rows beside the strict ones, applied to every case of their kind: {@link #PHONE_PII_LABELS}
 * (an {@code isMobilePhone} negative that is a valid phone number is left out) and {@link #SECRET_CATEGORY_LABELS}
 * (a secret plugin's negative that is another plugin's positive is left out). See docs/guards.md and ADR 0024.
 */
public final class PiiEvaluation {
  private static final Pattern LOCALE = Pattern.compile("locale=([a-z]{2,3})-([A-Z]{2})\\b");
  private static final Pattern LOCALE_REGION_ONLY = Pattern.compile("locale=([A-Z]{2})\\)");

  private final Map<String, Scanner> scanners = new HashMap<>();
  private final Map<String, Counts> rows = new TreeMap<>();
  private final Map<String, Counts> secretsByType = new TreeMap<>();
  private final Map<String, Counts> validNegatives = new TreeMap<>();
  private final Set<String> positiveSecretTexts = new HashSet<>();
  private final Map<String, Counts> crossPluginNegatives = new TreeMap<>();

  /**
   * Row suffix for the secrets row read at category level: a plugin's negative whose exact text is another plugin's
   * positive (a GitHub token among the GitLab plugin's negatives) says "not this kind", not "no secret", and is left
   * out.
   */
  static final String SECRET_CATEGORY_LABELS = "[category labels]";

  /** Row suffix for phone cases read as phone-PII labels (see {@link #validNumber}). */
  static final String PHONE_PII_LABELS = "[phone-PII labels]";
  static final String PHONE_PII_LABELS_INTERNATIONAL = "[phone-PII labels; international form only]";
  private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();

  private java.util.function.Consumer<String> errors;

  /** Evaluation of every row of {@code jsonl}. */
  public static PiiEvaluation run(Path jsonl) throws IOException {
    return run(jsonl, null);
  }

  /** As {@link #run(Path)}, passing each misclassified case (test data, not user data) to {@code errors}. */
  public static PiiEvaluation run(Path jsonl, java.util.function.Consumer<String> errors) throws IOException {
    PiiEvaluation e = new PiiEvaluation();
    e.errors = errors;
    ObjectMapper mapper = new ObjectMapper();
    List<JsonNode> all = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(jsonl, StandardCharsets.UTF_8)) {
      String line;
      while ((line = r.readLine()) != null) {
        if (!line.isBlank()) {
          all.add(mapper.readTree(line));
        }
      }
    }
    for (JsonNode row : all) {
      if (secretCase(row.path("type").asText()) && row.path("expect_detect").asBoolean()) {
        e.positiveSecretTexts.add(row.path("text").asText());
      }
    }
    for (JsonNode row : all) {
      e.add(row);
    }
    return e;
  }

  private Scanner scanner(String region) {
    return scanners.computeIfAbsent(region, rg -> Scanner.create(ScannerConfig.all(rg)));
  }

  private void add(JsonNode row) {
    String text = row.path("text").asText();
    String type = row.path("type").asText();
    boolean expected = row.path("expect_detect").asBoolean();
    String semantics = row.path("semantics").asText("");
    boolean wholeValue = !semantics.isEmpty();
    String region = "US";
    String key = null;
    Set<FindingType> accepted = null;
    Matcher m = LOCALE.matcher(semantics);
    String locale = m.find() ? m.group(1) + "-" + m.group(2) : null;
    String localeRegion = locale != null ? locale.substring(locale.indexOf('-') + 1) : null;
    Matcher m2 = LOCALE_REGION_ONLY.matcher(semantics);
    if (localeRegion == null && m2.find()) {
      localeRegion = m2.group(1);
    }
    switch (type) {
      case "EMAIL_ADDRESS" -> {
        key = "email";
        accepted = EnumSet.of(FindingType.EMAIL);
      }
      case "CREDIT_CARD" -> {
        key = "card";
        accepted = EnumSet.of(FindingType.CREDIT_CARD);
      }
      case "IBAN_CODE" -> {
        key = "iban";
        accepted = EnumSet.of(FindingType.IBAN);
      }
      case "IP_ADDRESS" -> {
        key = "ip";
        accepted = EnumSet.of(FindingType.IP_ADDRESS);
      }
      case "MAC_ADDRESS" -> {
        key = "mac";
        accepted = EnumSet.of(FindingType.MAC_ADDRESS);
      }
      case "US_SSN" -> {
        key = "ssn";
        accepted = EnumSet.of(FindingType.US_SSN);
      }
      case "JWT" -> {
        key = "jwt (whole value)";
        accepted = EnumSet.of(FindingType.JWT);
      }
      case "PHONE_NUMBER" -> {
        accepted = EnumSet.of(FindingType.PHONE);
        if (semantics.startsWith("derived")) {
          key = "phone (E.164 examples)";
        } else if (localeRegion != null) {
          key = "phone (locale given)";
          region = localeRegion;
        } else {
          key = "phone (no locale: 'any' or none; scanned as US)";
        }
      }
      case "NATIONAL_ID" -> {
        if ("IN".equals(localeRegion)) {
          key = "in_aadhaar";
          accepted = EnumSet.of(FindingType.IN_AADHAAR);
        }
      }
      case "TAX_ID" -> {
        if ("en-IN".equals(locale)) {
          key = "in_pan";
          accepted = EnumSet.of(FindingType.IN_PAN);
        } else if ("en-CA".equals(locale)) {
          key = "ca_sin";
          accepted = EnumSet.of(FindingType.CA_SIN);
        } else if ("en-GB".equals(locale)) {
          key = "uk_tax_id (NINO only; UTR not detected)";
          accepted = EnumSet.of(FindingType.UK_NINO);
        }
      }
      default -> {
        if (secretCase(type)) {
          key = "secrets (all secret-scanner cases)";
          accepted = EnumSet.noneOf(FindingType.class);
          for (FindingType t : FindingType.values()) {
            if (t.category() == FindingType.Category.SECRET) {
              accepted.add(t);
            }
          }
        }
      }
    }
    if (key != null && semantics.contains("non-default")) {
      key = key + " [validator non-default options]";
    }
    if (key == null) {
      rows.merge("not evaluated: " + type, Counts.ZERO.add(expected, false), PiiEvaluation::sum);
      return;
    }
    List<Finding> found = scanner(region).scan(text);
    boolean predicted = predicted(text, found, accepted, wholeValue);
    record(key, expected, predicted, region, text);
    if (semantics.contains("isMobilePhone") && !key.contains("non-default")) {
      String relabelled = key + " " + PHONE_PII_LABELS;
      if (!expected && validNumber(text, region)) {
        validNegatives.merge(key, Counts.ZERO.add(false, predicted), PiiEvaluation::sum);
      } else {
        record(relabelled, expected, predicted, region, text);
        if (localeRegion == null && international(text)) {
          record(key + " " + PHONE_PII_LABELS_INTERNATIONAL, expected, predicted, region, text);
        }
      }
    }
    if (key.startsWith("secrets")) {
      secretsByType.merge(type, Counts.ZERO.add(expected, predicted), PiiEvaluation::sum);
      if (!expected && positiveSecretTexts.contains(text)) {
        crossPluginNegatives.merge(type + ": " + text, Counts.ZERO.add(false, predicted), PiiEvaluation::sum);
      } else {
        record(key + " " + SECRET_CATEGORY_LABELS, expected, predicted, region, text);
      }
    }
  }

  /** A detect-secrets plugin case (its public-IP plugin is not a secret detector). */
  private static boolean secretCase(String type) {
    return type.startsWith("SECRET_") && !type.equals("SECRET_IP_PUBLIC");
  }

  private void record(String key, boolean expected, boolean predicted, String region, String text) {
    rows.merge(key, Counts.ZERO.add(expected, predicted), PiiEvaluation::sum);
    if (expected != predicted && errors != null) {
      errors.accept((expected ? "FN " : "FP ") + key + " [" + region + "] " + text.replace("\n", "\\n"));
    }
  }

  /**
   * The reference for "is this a phone number at all": libphonenumber's numbering plans, the text parsed with the
   * region the case is scanned with. Used only to read validator.js's negative {@code isMobilePhone} labels.
   */
  private static boolean validNumber(String text, String region) {
    try {
      return PHONES.isValidNumber(PHONES.parse(text, region));
    } catch (NumberParseException notANumber) {
      return false;
    }
  }

  /** Written with a country code: {@code +} or {@code 00} first. */
  private static boolean international(String text) {
    String t = text.strip();
    return t.startsWith("+") || t.startsWith("00");
  }

  private static boolean predicted(String text, List<Finding> found, Set<FindingType> accepted, boolean wholeValue) {
    int s = 0;
    int e = text.length();
    for (Finding f : found) {
      if (accepted.contains(f.type()) && (!wholeValue || (f.start() <= s && f.end() >= e))) {
        return true;
      }
    }
    return false;
  }

  private static Counts sum(Counts a, Counts b) {
    return new Counts(a.tp() + b.tp(), a.fp() + b.fp(), a.fn() + b.fn(), a.tn() + b.tn());
  }

  public Map<String, Counts> rows() {
    return new LinkedHashMap<>(rows);
  }

  public Map<String, Counts> secretsByType() {
    return new LinkedHashMap<>(secretsByType);
  }

  /** Markdown tables: per type, then the secret cases per scanner-plugin type. */
  public String report() {
    StringBuilder b = new StringBuilder();
    b.append("| type | cases | TP | FP | FN | TN | precision | recall | F1 |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    rows.forEach((k, c) -> {
      if (!k.startsWith("not evaluated")) {
        b.append(String.format(java.util.Locale.ROOT, "| %s | %d | %d | %d | %d | %d | %.3f | %.3f | %.3f |%n",
            k, c.total(), c.tp(), c.fp(), c.fn(), c.tn(), c.precision(), c.recall(), c.f1()));
      }
    });
    b.append("\nSecret cases by source type (a case counts as detected when any secret is found in it; precision,")
        .append(" recall and F1 are blank where the type has no positive or nothing was flagged):\n\n");
    b.append("| source type | positives | detected | negatives | flagged | precision | recall | F1 |\n")
        .append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    secretsByType.forEach((k, c) -> b.append(String.format(java.util.Locale.ROOT,
        "| %s | %d | %d | %d | %d | %s | %s | %s |%n", k, c.tp() + c.fn(), c.tp(), c.fp() + c.tn(), c.fp(),
        c.tp() + c.fp() == 0 ? "" : String.format(java.util.Locale.ROOT, "%.3f", c.precision()),
        c.tp() + c.fn() == 0 ? "" : String.format(java.util.Locale.ROOT, "%.3f", c.recall()),
        c.tp() + c.fp() == 0 || c.tp() + c.fn() == 0 ? "" : String.format(java.util.Locale.ROOT, "%.3f", c.f1()))));
    b.append("\nPhone-PII label rule: validator.js `isMobilePhone` negatives that libphonenumber accepts as valid numbers ")
        .append("(region of the case) are phone numbers, just not mobiles of that locale; the `").append(PHONE_PII_LABELS)
        .append("` rows leave them out. Those cases, and how many the detector flags:\n\n");
    b.append("| row | negatives left out | flagged |\n|---|---:|---:|\n");
    validNegatives.forEach((k, c) -> b.append(String.format(java.util.Locale.ROOT, "| %s | %d | %d |%n", k, c.total(), c.fp())));
    b.append("\nSecret category-label rule: a plugin's negative whose exact text is another plugin's positive is left out of ")
        .append("the `").append(SECRET_CATEGORY_LABELS).append("` row:\n\n| case | flagged |\n|---|---:|\n");
    crossPluginNegatives.forEach((k, c) -> b.append(String.format(java.util.Locale.ROOT, "| `%s` | %s |%n", k,
        c.fp() > 0 ? "yes" : "no")));
    b.append("\nNot evaluated (no detector of that kind): ");
    b.append(String.join(", ", rows.keySet().stream().filter(k -> k.startsWith("not evaluated"))
        .map(k -> k.substring("not evaluated: ".length()) + " (" + rows.get(k).total() + ")").toList()));
    b.append("\n");
    return b.toString();
  }
}
