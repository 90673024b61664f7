package dev.portcullis.guard.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScannerTest {
  private final Scanner scanner = Scanner.create(ScannerConfig.all("US"));

  private List<FindingType> types(String text) {
    return scanner.scan(text).stream().map(Finding::type).toList();
  }

  private String only(String text, FindingType type) {
    List<Finding> f = scanner.scan(text);
    assertThat(f).extracting(Finding::type).containsExactly(type);
    return text.substring(f.get(0).start(), f.get(0).end());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "mail me at jane.doe+x@example.co.uk today|EMAIL|jane.doe+x@example.co.uk",
    "card 4111 1111 1111 1111 exp 12/29|CREDIT_CARD|4111 1111 1111 1111",
    "amex 378282246310005.|CREDIT_CARD|378282246310005",
    "IBAN GB29 NWBK 6016 1331 9268 19 please|IBAN|GB29 NWBK 6016 1331 9268 19",
    "pay to DE89370400440532013000 now|IBAN|DE89370400440532013000",
    "ssn 123-45-6789 on file|US_SSN|123-45-6789",
    "server 192.168.10.20:8080 down|IP_ADDRESS|192.168.10.20",
    "v6 2001:db8:85a3::8a2e:370:7334 up|IP_ADDRESS|2001:db8:85a3::8a2e:370:7334",
    "nic 00:1A:2b:3C:4d:5E seen|MAC_ADDRESS|00:1A:2b:3C:4d:5E",
    "NINO AB 12 34 56 C ok|UK_NINO|AB 12 34 56 C",
    "SIN 130-692-544 ok|CA_SIN|130-692-544",
    "aadhaar 2341 2341 2346 ok|IN_AADHAAR|2341 2341 2346",
    "PAN ABCPE1234F ok|IN_PAN|ABCPE1234F",
    "call +1 415-555-2671 now|PHONE|+1 415-555-2671",
    "call (415) 555-2671 now|PHONE|(415) 555-2671",
    "key AKIAIOSFODNN7EXAMPLE here|AWS_ACCESS_KEY|AKIAIOSFODNN7EXAMPLE",
    "t=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;|GITHUB_TOKEN|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",
    "glpat-hellOworld380_testin|GITLAB_TOKEN|glpat-hellOworld380_testin",
    "xoxb-34532454-e039d02840a0b9379c|SLACK_TOKEN|xoxb-34532454-e039d02840a0b9379c",
    "stripe sk_live_ReTllpYQYfIZu2Jnf2lAPFjD end|STRIPE_KEY|sk_live_ReTllpYQYfIZu2Jnf2lAPFjD",
    "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|OPENAI_KEY|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",
    "k sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ_-xyz|ANTHROPIC_KEY|sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ_-xyz",
    "g AIzaSyA1234567890abcdefghijklmnopqrstuv x|GOOGLE_API_KEY|AIzaSyA1234567890abcdefghijklmnopqrstuv",
    "db_password = \"s3cr3tP4ssw0rdX9\"|GENERIC_SECRET|s3cr3tP4ssw0rdX9",
    "bot MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs ok|DISCORD_TOKEN|MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs",
    "mc 343ea45721923ed956e2b38c31db76aa-us30 ok|MAILCHIMP_KEY|343ea45721923ed956e2b38c31db76aa-us30",
    "tg 110201543:AAHdqTcvCH1vGWJxfSe1ofSAs0K5PALDsaw ok|TELEGRAM_TOKEN|110201543:AAHdqTcvCH1vGWJxfSe1ofSAs0K5PALDsaw",
    "X-JFrog-Art-Api: AKCp5e2gqR7mTx9|ARTIFACTORY_TOKEN|AKCp5e2gqR7mTx9",
    "sid SK0123456789abcdef0123456789abcdef ok|TWILIO_KEY|SK0123456789abcdef0123456789abcdef",
  })
  void findsEachDetectorType(String text, FindingType type, String value) {
    assertThat(only(text, type)).isEqualTo(value);
  }

  @Test
  void findsJwtAndPrivateKey() {
    String jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
    assertThat(only("token: " + jwt + " end", FindingType.JWT)).isEqualTo(jwt);
    String pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nabc+/=\n-----END RSA PRIVATE KEY-----";
    assertThat(only("here\n" + pem + "\nthere", FindingType.PRIVATE_KEY)).isEqualTo(pem);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "The quick brown fox jumps over the lazy dog in 2024.",
    "card 4111 1111 1111 1112 is not valid",
    "ssn 000-12-3456 is invalid",
    "ssn 666.90.4399 is invalid",
    "mixed 693-09.4444 separators",
    "version 1.2.3.4.5 and 256.1.1.1",
    "IBAN GB29 NWBK 6016 1331 9268 18",
    "akiaiosfodnn7example lowercase",
    "task-based sk-short",
    "password = \"${DB_PASSWORD}\"",
    "not_secret = notapassword",
    "APACHECONFIGURATION and AKCENTUATED words",
    "testAKCwithinsomeirrelevantstring",
  })
  void ignoresLookalikes(String text) {
    assertThat(types(text)).isEmpty();
  }

  @Test
  void findsSeveralInOnePass() {
    String text = "Contact bob@example.org or +44 20 7946 0958; card 5555555555554444; ip 10.0.0.1.";
    assertThat(types(text))
        .containsExactly(FindingType.EMAIL, FindingType.PHONE, FindingType.CREDIT_CARD, FindingType.IP_ADDRESS);
  }

  @Test
  void raisesConfidenceWithContextWords() {
    double plain = scanner.scan("number 2341 2341 2346").get(0).confidence();
    double ctx = scanner.scan("aadhaar 2341 2341 2346").get(0).confidence();
    assertThat(ctx).isGreaterThan(plain);
  }

  @Test
  void usesTheDefaultRegionForNationalNumbers() {
    Scanner uk = Scanner.create(ScannerConfig.all("GB"));
    assertThat(uk.scan("ring 020 7946 0958 today")).extracting(Finding::type).containsExactly(FindingType.PHONE);
  }

  @Test
  void derivesAScannerPerRegionSharingTheLiterals() {
    Scanner de = scanner.withRegion("DE");
    assertThat(de.config().defaultRegion()).isEqualTo("DE");
    assertThat(scanner.withRegion("US")).isSameAs(scanner);
    assertThat(de.scan("ruf an: 030 901820 bitte")).extracting(Finding::type).containsExactly(FindingType.PHONE);
    assertThat(scanner.scan("ruf an: 030 901820 bitte")).isEmpty();
    assertThat(de.scan("key AKIAIOSFODNN7EXAMPLE")).extracting(Finding::type).containsExactly(FindingType.AWS_ACCESS_KEY);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    // in the plan's shape and length, not in an assigned range: reported with a country code or bracketed area code
    "MO|contact +853 6123 4567 today|+853 6123 4567",
    "BS|contact +1 (242)-123-1234 today|+1 (242)-123-1234",
    "BA|zovi +38760123456 sada|+38760123456",
    "BR|ligue (22) 9956-7894 hoje|(22) 9956-7894",
    "US|dial 0038760123456 abroad|0038760123456",
  })
  void reportsPossibleNumbersWrittenAsPhoneNumbers(String region, String text, String value) {
    List<Finding> f = Scanner.create(ScannerConfig.all(region)).scan(text);
    assertThat(f).extracting(Finding::type).containsExactly(FindingType.PHONE);
    assertThat(text.substring(f.get(0).start(), f.get(0).end())).isEqualTo(value);
    assertThat(f.get(0).confidence()).isLessThan(0.75);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "CZ|order 123456789 shipped",
    "CZ|+420 123 456 789 is not in the Czech plan",
    "BA|ref 060123456 ok",
    "US|+1 034 567 2645 is not a NANP number",
    "US|dial 0012345 x",
  })
  void leavesBareOrImpossibleNumbersAlone(String region, String text) {
    assertThat(Scanner.create(ScannerConfig.all(region)).scan(text)).extracting(Finding::type)
        .doesNotContain(FindingType.PHONE);
  }

  @Test
  void prefersAValidPhoneNumberToAChecksumOnlyAadhaar() {
    // 258829229754 passes Verhoeff, and is +258 82 922 9754 in Mozambique
    assertThat(Scanner.create(ScannerConfig.all("MZ")).scan("tel 258829229754")).extracting(Finding::type)
        .containsExactly(FindingType.PHONE);
    assertThat(Scanner.create(ScannerConfig.all("IN")).scan("no 258829229754")).extracting(Finding::type)
        .containsExactly(FindingType.IN_AADHAAR);
    assertThat(Scanner.create(ScannerConfig.all("MZ")).scan("aadhaar 258829229754")).extracting(Finding::type)
        .containsExactly(FindingType.IN_AADHAAR);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "My social security number is 109.99.6000|109.99.6000",
    "SSN: 536 90 4399|536 90 4399",
  })
  void findsSsnWithDotsOrSpaces(String text, String value) {
    assertThat(only(text, FindingType.US_SSN)).isEqualTo(value);
  }

  @Test
  void reportsOnlyEnabledTypes() {
    Scanner emailOnly = Scanner.create(new ScannerConfig("US", java.util.Set.of(FindingType.EMAIL)));
    assertThat(emailOnly.scan("a@b.io 4111111111111111")).extracting(Finding::type).containsExactly(FindingType.EMAIL);
  }

  @Test
  void survivesArbitraryUnicodeAndControlCharacters() {
    String text = "\u0000\uFFFF@@@.:::\uD83D\uDE00 +++((( 1-2-3 eyJ.eyJ. -----BEGIN  ghp_ sk- xox- \uD800";
    assertThat(scanner.scan(text)).isEmpty();
  }
}
