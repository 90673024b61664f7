package dev.portcullis.identity.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.Base64URL;
import dev.portcullis.identity.AuthResult;
import java.time.Clock;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/** Arbitrary headers and payloads never crash the JWT path and are always refused. */
class JwtParsingPropertiesTest {

  final JwtAuthenticator auth = new JwtAuthenticator(List.of(), Clock.systemUTC());

  @Property(tries = 300)
  void arbitraryTokensAreRefusedWithoutThrowing(@ForAll String header, @ForAll String payload,
      @ForAll String signature) {
    String token = Base64URL.encode(header) + "." + Base64URL.encode(payload) + "." + Base64URL.encode(signature);
    assertThat(auth.authenticate(token).toCompletableFuture().join()).isInstanceOf(AuthResult.Rejected.class);
    assertThat(auth.authenticate(header).toCompletableFuture().join()).isInstanceOf(AuthResult.Rejected.class);
  }
}
