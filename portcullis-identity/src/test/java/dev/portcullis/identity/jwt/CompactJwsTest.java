package dev.portcullis.identity.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Issue 10 item 24: only canonical base64url segments pass. */
class CompactJwsTest {

  @Test
  void acceptsCanonicalSegments() {
    assertThat(CompactJws.isCanonical("eyJhbGciOiJFUzI1NiJ9.e30.AAAA")).isTrue();
    assertThat(CompactJws.isCanonical("QQ.QUE.QUFB")).isTrue();
  }

  @Test
  void refusesPaddingStrayCharactersAndPadBits() {
    assertThat(CompactJws.isCanonical("QQ==.QUE.QUFB")).isFalse();
    assertThat(CompactJws.isCanonical("QQ.QUE=.QUFB")).isFalse();
    assertThat(CompactJws.isCanonical("QQ.QUE.QU+B")).isFalse();
    assertThat(CompactJws.isCanonical("QQ.Q UE.QUFB")).isFalse();
    assertThat(CompactJws.isCanonical("QR.QUE.QUFB")).as("non-zero pad bits after 2 characters").isFalse();
    assertThat(CompactJws.isCanonical("QQ.QUF.QUFB")).as("non-zero pad bits after 3 characters").isFalse();
    assertThat(CompactJws.isCanonical("QQ.QUE.QUFBQ")).as("a length of 4n+1").isFalse();
  }

  @Test
  void refusesAnythingButThreeSegmentsWithHeaderAndPayload() {
    assertThat(CompactJws.isCanonical("QQ.QUE")).isFalse();
    assertThat(CompactJws.isCanonical("QQ.QUE.QUFB.QQ.QQ")).isFalse();
    assertThat(CompactJws.isCanonical(".QUE.QUFB")).isFalse();
    assertThat(CompactJws.isCanonical("QQ..QUFB")).isFalse();
    assertThat(CompactJws.isCanonical("QQ.QUE.")).isTrue();
  }
}
