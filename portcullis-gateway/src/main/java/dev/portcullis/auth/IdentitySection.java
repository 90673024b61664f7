package dev.portcullis.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.config.ConfigNodes;
import dev.portcullis.config.ConfigSection;
import dev.portcullis.config.Durations;
import dev.portcullis.identity.mtls.CertificateIdentity;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Parses the {@code identity} section. It is required: a gateway without authentication must say
 * {@code identity: {mode: none}}.
 *
 * <pre>
 * identity:
 *   store: {sqlite: portcullis.db}            # or {postgres: {url: jdbc:postgresql://…, user: …, password: …}}
 *   api-keys:
 *     pepper: ${env:PORTCULLIS_PEPPER}        # at least 32 characters, kept out of the database
 *     environments: [live, test]
 *     cache-ttl: 30s
 *   jwt:
 *     - issuer: https://idp.example.com/realms/main
 *       audience: portcullis
 *       jwks-url: https://idp.example.com/realms/main/protocol/openid-connect/certs   # or jwks-file
 *       algorithms: [RS256, ES256]
 *       tenant-claim: tenant                  # or tenant: acme
 *       plan: default                         # or plan-claim: plan
 *   signed-requests: {enabled: true, skew: 300s}
 * </pre>
 */
public final class IdentitySection implements ConfigSection<IdentitySettings> {

  public static final IdentitySection INSTANCE = new IdentitySection();
  private static final Set<String> ALGORITHMS = Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
      "ES256", "ES384", "ES512", "EdDSA");

  private IdentitySection() {}

  @Override
  public String key() {
    return "identity";
  }

  @Override
  public IdentitySettings parse(JsonNode node, Context context, List<String> problems) {
    if (node.isMissingNode() || node.isNull()) {
      problems.add("identity: missing; configure how callers authenticate, or write `identity: {mode: none}` to "
          + "run without authentication (never in production)");
      return null;
    }
    if (!node.isObject()) {
      problems.add("identity: must be a mapping");
      return null;
    }
    if (node.has("mode")) {
      String mode = node.get("mode").asText();
      if (!mode.equals("none")) {
        problems.add("identity.mode: '" + mode + "' is not known; the only mode is none (no authentication)");
      } else if (node.size() > 1) {
        problems.add("identity: with mode none, no other identity settings are allowed");
      }
      return IdentitySettings.none();
    }
    known(node, "identity", problems, "store", "api-keys", "jwt", "signed-requests", "realm", "oauth", "mtls");
    String realm = text(node, "identity", "realm", "portcullis", context, problems);
    if (realm.isEmpty() || realm.contains("\"") || realm.contains("\\")) {
      problems.add("identity.realm: must be non-empty without quotes or backslashes");
    }
    IdentitySettings.Store store = store(node.path("store"), context, problems);

    JsonNode keys = node.path("api-keys");
    String pepper = null;
    Set<String> environments = new LinkedHashSet<>(List.of("live", "test"));
    Duration cacheTtl = Duration.ofSeconds(30);
    if (keys.isMissingNode()) {
      problems.add("identity.api-keys: missing; set at least api-keys.pepper (32+ characters from ${env:…} or "
          + "${file:…})");
    } else {
      known(keys, "identity.api-keys", problems, "pepper", "environments", "cache-ttl");
      pepper = text(keys, "identity.api-keys", "pepper", null, context, problems);
      if (pepper == null) {
        problems.add("identity.api-keys.pepper: missing (32+ random characters from ${env:…} or ${file:…})");
      } else if (pepper.getBytes(StandardCharsets.UTF_8).length < 32) {
        problems.add("identity.api-keys.pepper: must be at least 32 bytes");
      }
      if (keys.has("environments")) {
        environments.clear();
        JsonNode list = keys.get("environments");
        for (int i = 0; i < list.size(); i++) {
          String env = list.get(i).asText();
          if (!env.matches("[a-z]{2,8}")) {
            problems.add("identity.api-keys.environments[" + i + "]: '" + env + "' must be 2-8 lower-case letters");
          }
          environments.add(env);
        }
        if (environments.isEmpty()) {
          problems.add("identity.api-keys.environments: must not be empty");
        }
      }
      cacheTtl = duration(keys, "identity.api-keys", "cache-ttl", cacheTtl, problems);
    }

    List<IdentitySettings.Issuer> issuers = new ArrayList<>();
    JsonNode jwt = node.path("jwt");
    if (!jwt.isMissingNode()) {
      if (!jwt.isArray()) {
        problems.add("identity.jwt: must be a list of trusted issuers");
      } else {
        for (int i = 0; i < jwt.size(); i++) {
          IdentitySettings.Issuer issuer = issuer(jwt.get(i), "identity.jwt[" + i + "]", context, problems);
          if (issuer != null) {
            issuers.add(issuer);
          }
        }
      }
    }
    boolean signed = false;
    Duration skew = Duration.ofMinutes(5);
    JsonNode sr = node.path("signed-requests");
    if (!sr.isMissingNode()) {
      known(sr, "identity.signed-requests", problems, "enabled", "skew");
      signed = sr.path("enabled").asBoolean(false);
      skew = duration(sr, "identity.signed-requests", "skew", skew, problems);
      if (skew.compareTo(Duration.ofMinutes(15)) > 0) {
        problems.add("identity.signed-requests.skew: at most 15m");
      }
    }
    IdentitySettings.OAuth oauth = node.has("oauth") ? oauth(node.get("oauth"), context, problems) : null;
    List<CertificateIdentity> certificates = new ArrayList<>();
    JsonNode mtls = node.path("mtls");
    if (!mtls.isMissingNode()) {
      if (!mtls.isArray()) {
        problems.add("identity.mtls: must be a list of certificate identities");
      } else {
        for (int i = 0; i < mtls.size(); i++) {
          CertificateIdentity c = certificate(mtls.get(i), "identity.mtls[" + i + "]", context, problems);
          if (c != null) {
            certificates.add(c);
          }
        }
      }
    }
    return new IdentitySettings(true, realm, store, pepper, environments, cacheTtl, issuers, signed, skew, oauth,
        certificates);
  }

  private CertificateIdentity certificate(JsonNode node, String path, Context context, List<String> problems) {
    if (!node.isObject()) {
      problems.add(path + ": must be a mapping");
      return null;
    }
    known(node, path, problems, "subject", "san", "tenant", "principal", "scopes");
    String subject = text(node, path, "subject", null, context, problems);
    String san = text(node, path, "san", null, context, problems);
    String tenant = text(node, path, "tenant", null, context, problems);
    String principal = text(node, path, "principal", null, context, problems);
    if ((subject == null) == (san == null)) {
      problems.add(path + ": set exactly one of subject (a distinguished name) and san");
    }
    if (tenant == null || principal == null) {
      problems.add(path + ": tenant and principal are required");
    }
    Set<String> scopes = new LinkedHashSet<>();
    node.path("scopes").forEach(s -> scopes.add(s.asText()));
    if ((subject == null) == (san == null) || tenant == null || principal == null) {
      return null;
    }
    try {
      return new CertificateIdentity(subject, san, tenant, principal, scopes);
    } catch (IllegalArgumentException e) {
      problems.add(path + ".subject: '" + subject + "' is not a distinguished name");
      return null;
    }
  }

  private IdentitySettings.OAuth oauth(JsonNode node, Context context, List<String> problems) {
    String path = "identity.oauth";
    if (!node.isObject()) {
      problems.add(path + ": must be a mapping");
      return null;
    }
    known(node, path, problems, "issuer", "audience", "token-ttl", "key-rotation");
    String issuer = text(node, path, "issuer", null, context, problems);
    URI uri = null;
    if (issuer == null) {
      problems.add(path + ".issuer: missing (the public base URL of this gateway, e.g. https://llm.example.com)");
    } else {
      try {
        uri = URI.create(issuer);
        if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null
            || uri.getQuery() != null || uri.getFragment() != null) {
          problems.add(path + ".issuer: must be an http(s) URL without query or fragment");
        }
      } catch (IllegalArgumentException e) {
        problems.add(path + ".issuer: not a URL");
      }
    }
    String audience = text(node, path, "audience", "portcullis", context, problems);
    Duration ttl = duration(node, path, "token-ttl", Duration.ofMinutes(15), problems);
    if (ttl.compareTo(Duration.ofMinutes(1)) < 0 || ttl.compareTo(Duration.ofHours(1)) > 0) {
      problems.add(path + ".token-ttl: must be between 1m and 1h");
    }
    Duration rotation = duration(node, path, "key-rotation", Duration.ofHours(24), problems);
    if (rotation.compareTo(ttl) <= 0) {
      problems.add(path + ".key-rotation: must be longer than token-ttl");
    }
    return new IdentitySettings.OAuth(uri, audience, ttl, rotation);
  }

  private IdentitySettings.Store store(JsonNode node, Context context, List<String> problems) {
    if (node.isMissingNode()) {
      return new IdentitySettings.Store(context.baseDir().resolve("portcullis.db"), null, null, null, 0);
    }
    known(node, "identity.store", problems, "sqlite", "postgres");
    if (node.has("sqlite") == node.has("postgres")) {
      problems.add("identity.store: set exactly one of sqlite (a file path) and postgres");
      return null;
    }
    if (node.has("sqlite")) {
      String file = text(node, "identity.store", "sqlite", null, context, problems);
      return file == null ? null : new IdentitySettings.Store(context.baseDir().resolve(file), null, null, null, 0);
    }
    JsonNode pg = node.get("postgres");
    known(pg, "identity.store.postgres", problems, "url", "user", "password", "pool-size");
    String url = text(pg, "identity.store.postgres", "url", null, context, problems);
    if (url == null || !url.startsWith("jdbc:postgresql://")) {
      problems.add("identity.store.postgres.url: must be a jdbc:postgresql:// URL");
    }
    String user = text(pg, "identity.store.postgres", "user", null, context, problems);
    String password = text(pg, "identity.store.postgres", "password", null, context, problems);
    int pool = pg.path("pool-size").asInt(10);
    if (pool < 1 || pool > 200) {
      problems.add("identity.store.postgres.pool-size: must be in 1..200");
    }
    return new IdentitySettings.Store(null, url, user, password, pool);
  }

  private IdentitySettings.Issuer issuer(JsonNode node, String path, Context context, List<String> problems) {
    if (!node.isObject()) {
      problems.add(path + ": must be a mapping");
      return null;
    }
    known(node, path, problems, "issuer", "audience", "jwks-url", "jwks-file", "algorithms", "tenant-claim",
        "tenant", "plan-claim", "plan", "max-skew", "max-token-lifetime");
    String issuer = text(node, path, "issuer", null, context, problems);
    String audience = text(node, path, "audience", null, context, problems);
    if (issuer == null) {
      problems.add(path + ".issuer: missing");
    }
    if (audience == null) {
      problems.add(path + ".audience: missing (the audience tokens must name this gateway with)");
    }
    String url = text(node, path, "jwks-url", null, context, problems);
    String file = text(node, path, "jwks-file", null, context, problems);
    URI jwksUrl = null;
    Path jwksFile = null;
    if ((url == null) == (file == null)) {
      problems.add(path + ": set exactly one of jwks-url and jwks-file");
    } else if (url != null) {
      try {
        jwksUrl = URI.create(url);
        if (!"https".equals(jwksUrl.getScheme()) && !"http".equals(jwksUrl.getScheme())) {
          problems.add(path + ".jwks-url: must be an http(s) URL");
        }
      } catch (IllegalArgumentException e) {
        problems.add(path + ".jwks-url: not a URL");
      }
    } else {
      jwksFile = context.baseDir().resolve(file);
      if (!Files.isReadable(jwksFile)) {
        problems.add(path + ".jwks-file: " + jwksFile + " does not exist or is not readable");
      }
    }
    Set<String> algorithms = new LinkedHashSet<>();
    JsonNode algs = node.path("algorithms");
    if (algs.isMissingNode()) {
      algorithms.addAll(List.of("RS256", "ES256"));
    } else {
      for (int i = 0; i < algs.size(); i++) {
        String alg = algs.get(i).asText();
        if (!ALGORITHMS.contains(alg)) {
          problems.add(path + ".algorithms[" + i + "]: '" + alg + "' is not allowed; use public-key algorithms "
              + "such as RS256, PS256, ES256, EdDSA");
        }
        algorithms.add(alg);
      }
    }
    String tenantClaim = text(node, path, "tenant-claim", null, context, problems);
    String tenant = text(node, path, "tenant", null, context, problems);
    if ((tenantClaim == null) == (tenant == null)) {
      problems.add(path + ": set exactly one of tenant-claim and tenant");
    }
    String planClaim = text(node, path, "plan-claim", null, context, problems);
    String plan = text(node, path, "plan", null, context, problems);
    if (planClaim == null && plan == null) {
      problems.add(path + ": set plan-claim, plan, or both (plan is the default when the claim is absent)");
    }
    Duration skew = duration(node, path, "max-skew", Duration.ofSeconds(60), problems);
    if (skew.compareTo(Duration.ofMinutes(5)) > 0) {
      problems.add(path + ".max-skew: at most 5m");
    }
    Duration lifetime = duration(node, path, "max-token-lifetime", null, problems);
    return new IdentitySettings.Issuer(issuer, audience, jwksUrl, jwksFile, algorithms, tenantClaim, tenant,
        planClaim, plan, skew, lifetime);
  }

  private static void known(JsonNode node, String path, List<String> problems, String... keys) {
    ConfigNodes.knownKeys(node, path, problems, keys);
  }

  private static String text(JsonNode node, String path, String key, String fallback, Context context,
      List<String> problems) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isValueNode()) {
      problems.add(path + "." + key + ": must be a string");
      return fallback;
    }
    String resolved = context.resolve(v.asText(), path + "." + key, problems);
    return resolved == null ? fallback : resolved;
  }

  private static Duration duration(JsonNode node, String path, String key, Duration fallback,
      List<String> problems) {
    JsonNode v = node.get(key);
    if (v == null) {
      return fallback;
    }
    Duration d = Durations.parse(v.asText());
    if (d == null) {
      problems.add(path + "." + key + ": '" + v.asText() + "' is not a duration; " + Durations.EXAMPLES);
      return fallback;
    }
    if (d.isZero()) {
      problems.add(path + "." + key + ": must be greater than zero");
      return fallback;
    }
    return d;
  }
}
