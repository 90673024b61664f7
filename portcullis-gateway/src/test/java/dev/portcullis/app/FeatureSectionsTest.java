package dev.portcullis.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.portcullis.config.ConfigException;
import dev.portcullis.config.ConfigLoader;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every feature section reports its mistakes with their YAML paths, together with the core's. */
class FeatureSectionsTest {

  static final String BASE = "upstreams: [{name: a, base-url: 'http://127.0.0.1:1/v1', models: [m]}]\n";

  static ConfigException problems(String yaml) {
    return catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(BASE + yaml,
        Map.<String, String>of()::get, Path.of("."), Portcullis.SECTIONS));
  }

  @Test
  void identityProblems() {
    assertThat(problems("""
        identity:
          api-keys: {pepper: short}
          jwt: [{issuer: https://idp, jwks-url: https://idp/keys, algorithms: [HS256], tenant: acme}]
          colour: blue
        """).problems()).containsExactlyInAnyOrder(
        "identity.colour: unknown key; expected one of store, api-keys, jwt, signed-requests, realm, oauth, mtls",
        "identity.api-keys.pepper: must be at least 32 bytes",
        "identity.jwt[0].audience: missing (the audience tokens must name this gateway with)",
        "identity.jwt[0].algorithms[0]: 'HS256' is not allowed; use public-key algorithms such as RS256, PS256, "
            + "ES256, EdDSA",
        "identity.jwt[0]: set plan-claim, plan, or both (plan is the default when the claim is absent)");
  }

  @Test
  void guardProblems() {
    assertThat(problems("""
        identity: {mode: none}
        guards:
          plans: {free: nope}
          profiles:
            p:
              input: {action: hash, types: {emial: block}}
              output: {action: pseudonymise}
              canary: maybe
        """).problems()).containsExactlyInAnyOrder(
        "guards.profiles.p.input.types.emial: unknown type; known types are email, phone, credit-card, iban, us-ssn, "
            + "ip-address, mac-address, uk-nino, ca-sin, in-aadhaar, in-pan, aws-access-key, aws-secret-key, "
            + "github-token, gitlab-token, slack-token, stripe-key, openai-key, anthropic-key, google-api-key, jwt, "
            + "private-key, npm-token, pypi-token, sendgrid-key, basic-auth-url, discord-token, mailchimp-key, "
            + "telegram-token, artifactory-token, twilio-key, azure-storage-key, square-token, generic-secret",
        "guards.profiles.p.output.action: pseudonymise applies to requests only",
        "guards.profiles.p.canary: must be off, redact or block",
        "guards.plans.free: no profile named 'nope'",
        "guards.hash-key: required because a profile uses the hash action");
    assertThat(problems("""
        identity: {mode: none}
        guards:
          profiles:
            p:
              output: {action: redact, shadow: true, on-failure: sometimes}
              canary: {shadow: true, on-faliure: fail-open}
        """).problems()).anySatisfy(p -> assertThat(p).startsWith("guards.profiles.p.output.on-failure:"))
        .anySatisfy(p -> assertThat(p).startsWith("guards.profiles.p.canary.on-faliure: unknown key"))
        .anySatisfy(p -> assertThat(p).startsWith("guards.profiles.p.canary.mode: missing"))
        .hasSize(3);
    assertThat(problems("""
        identity: {mode: none}
        guards: {profiles: {p: {canary: [block]}}}
        """).problems()).containsExactly(
        "guards.profiles.p.canary: must be off, redact, block or a mapping with a mode");
  }

  @Test
  void limitProblemsKeepTheirPaths() {
    assertThat(problems("""
        identity: {mode: none}
        limits:
          default-plan: free
          plans:
            free:
              limits:
                - {name: x, per: [key], unit: requests, algorithm: sliding-window, limit: 0, period: 1m}
        """).problems()).singleElement().asString().startsWith("limits.plans.free.limits[0].limit:");
  }

  @Test
  void redisProblems() {
    assertThat(problems("identity: {mode: none}\nredis: {url: 'redis://x', pool: 3, command-timeout: forever}\n")
        .problems()).containsExactlyInAnyOrder(
        "redis.pool: unknown key; expected one of url, prefix, command-timeout",
        "redis.command-timeout: must be a duration from 1ms to 30s, e.g. 500ms or 2s");
  }
}
