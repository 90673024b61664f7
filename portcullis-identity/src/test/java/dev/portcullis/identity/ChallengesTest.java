package dev.portcullis.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ChallengesTest {

  @Test
  void unknownRevokedAndExpiredKeysGetTheSameChallenge() {
    String unknown = Challenges.wwwAuthenticate(FailureReason.UNKNOWN_CREDENTIAL, "portcullis");
    assertThat(Challenges.wwwAuthenticate(FailureReason.REVOKED, "portcullis")).isEqualTo(unknown);
    assertThat(Challenges.wwwAuthenticate(FailureReason.EXPIRED, "portcullis")).isEqualTo(unknown);
    assertThat(unknown).isEqualTo("Bearer realm=\"portcullis\", error=\"invalid_token\"");
  }

  @Test
  void missingCredentialGetsAChallengeWithoutErrorCode() {
    assertThat(Challenges.wwwAuthenticate(FailureReason.MISSING_CREDENTIAL, "portcullis"))
        .isEqualTo("Bearer realm=\"portcullis\"");
  }

  @Test
  void refusesRealmThatWouldBreakTheHeader() {
    assertThatThrownBy(() -> Challenges.wwwAuthenticate(FailureReason.EXPIRED, "a\"b"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
