package dev.portcullis.identity.oauth;

import dev.portcullis.identity.CertificateBinding;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.portcullis.identity.apikey.ApiKeyHasher;
import dev.portcullis.identity.hmac.NonceStore;
import dev.portcullis.identity.jwt.TokenDenyList;
import dev.portcullis.identity.jwt.TrustedIssuer;
import dev.portcullis.identity.store.Ids;
import dev.portcullis.identity.store.IdentityStore;
import dev.portcullis.identity.store.OAuthClientRecord;
import dev.portcullis.identity.store.StoredPrincipal;
import dev.portcullis.identity.store.Tenant;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The client-credentials token endpoint's logic, plus revocation (RFC 7009), introspection (RFC 7662) and
 * the discovery document (RFC 8414). Client secrets are stored as peppered HMAC-SHA-256 hashes and compared
 * in constant time. Issued tokens are RFC 9068 JWT access tokens signed with the ring's active ES256 key;
 * the gateway verifies them through {@link #asTrustedIssuer()}.
 */
public final class TokenIssuer {

  public static final String GRANT_TYPE = "client_credentials";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final TokenOutcome INVALID_CLIENT = new TokenOutcome.Refused(TokenOutcome.OAuthError.INVALID_CLIENT);
  private static final int MAX_SCOPES = 64;
  private static final Duration CLIENT_REVOCATION_HOLD = Duration.ofMinutes(65);

  private final IdentityStore store;
  private final ApiKeyHasher hasher;
  private final SigningKeyRing keys;
  private final RevokedTokens revoked;
  private final Executor executor;
  private final Clock clock;
  private final IssuerSettings settings;
  private final ClientAssertions assertions;

  /** An issuer whose clients authenticate with secrets, or with signed assertions whose ids are kept in memory. */
  public TokenIssuer(IdentityStore store, ApiKeyHasher hasher, SigningKeyRing keys, RevokedTokens revoked,
      Executor executor, Clock clock, IssuerSettings settings) {
    this(store, hasher, keys, revoked, executor, clock, settings,
        new dev.portcullis.identity.hmac.InMemoryNonceStore(100_000, clock));
  }

  /** @param assertionIds where used assertion ids ({@code jti}) are kept; shared (Redis) across instances */
  public TokenIssuer(IdentityStore store, ApiKeyHasher hasher, SigningKeyRing keys, RevokedTokens revoked,
      Executor executor, Clock clock, IssuerSettings settings, NonceStore assertionIds) {
    this.store = Objects.requireNonNull(store, "store");
    this.hasher = Objects.requireNonNull(hasher, "hasher");
    this.keys = Objects.requireNonNull(keys, "keys");
    this.revoked = Objects.requireNonNull(revoked, "revoked");
    this.executor = Objects.requireNonNull(executor, "executor");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.assertions = new ClientAssertions(List.of(settings.issuerString() + "/oauth2/token",
        settings.issuerString()), Objects.requireNonNull(assertionIds, "assertionIds"), clock);
  }

  /** Registers a client for a principal (admin API / CLI; blocks). The secret is shown once. */
  public IssuedClient registerClient(String clientId, String tenantId, String principalId, Set<String> scopes) {
    byte[] raw = new byte[32];
    RANDOM.nextBytes(raw);
    String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    OAuthClientRecord record = new OAuthClientRecord(clientId, tenantId, principalId, hasher.hash(secret), scopes,
        clock.instant(), null);
    store.createOAuthClient(record);
    return new IssuedClient(record, secret);
  }

  /**
   * Registers a client that authenticates with assertions signed by its private key (private_key_jwt); {@code jwks}
   * holds its public keys (see {@link ClientAssertions#validateKeys}). No secret exists. Blocks.
   */
  public OAuthClientRecord registerKeyClient(String clientId, String tenantId, String principalId, Set<String> scopes,
      String jwks) {
    OAuthClientRecord record = new OAuthClientRecord(clientId, tenantId, principalId, "", scopes, clock.instant(),
        null, ClientAssertions.validateKeys(jwks));
    store.createOAuthClient(record);
    return record;
  }

  /** Handles a token request; the store is read on the executor. */
  public CompletionStage<TokenOutcome> issue(TokenRequest request) {
    if (request.grantType() == null) {
      return refused(TokenOutcome.OAuthError.INVALID_REQUEST);
    }
    if (!GRANT_TYPE.equals(request.grantType())) {
      return refused(TokenOutcome.OAuthError.UNSUPPORTED_GRANT_TYPE);
    }
    if (!wellFormed(request.clientId(), request.clientSecret(), request.clientAssertionType(),
        request.clientAssertion())) {
      return CompletableFuture.completedFuture(INVALID_CLIENT);
    }
    Set<String> requested = parseScope(request.scope());
    if (requested == null) {
      return refused(TokenOutcome.OAuthError.INVALID_SCOPE);
    }
    return CompletableFuture.supplyAsync(() -> issueNow(request, requested), executor)
        .exceptionally(failure -> new TokenOutcome.Refused(TokenOutcome.OAuthError.TEMPORARILY_UNAVAILABLE));
  }

  private TokenOutcome issueNow(TokenRequest request, Set<String> requested) {
    Optional<OAuthClientRecord> found = authenticate(request.clientId(), request.clientSecret(),
        request.clientAssertion());
    if (found.isEmpty()) {
      return INVALID_CLIENT;
    }
    OAuthClientRecord client = found.get();
    Optional<Tenant> tenant = store.findTenant(client.tenantId());
    Optional<StoredPrincipal> principal = store.findPrincipal(client.tenantId(), client.principalId());
    if (tenant.isEmpty() || tenant.get().disabled() || principal.isEmpty()) {
      return INVALID_CLIENT;
    }
    Set<String> granted = requested.isEmpty() ? client.allowedScopes() : requested;
    if (!client.allowedScopes().containsAll(granted)) {
      return new TokenOutcome.Refused(TokenOutcome.OAuthError.INVALID_SCOPE);
    }
    String plan = principal.get().plan() != null ? principal.get().plan() : tenant.get().plan();
    String scope = String.join(" ", granted.stream().sorted().toList());
    Instant now = clock.instant();
    JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder()
        .issuer(settings.issuerString())
        .audience(settings.audience())
        .subject(client.principalId())
        .claim("client_id", client.clientId())
        .claim("tenant", client.tenantId())
        .claim("plan", plan)
        .claim("scope", scope)
        .issueTime(Date.from(now))
        .notBeforeTime(Date.from(now))
        .expirationTime(Date.from(now.plus(settings.tokenTtl())))
        .jwtID(newJti());
    if (request.certificateThumbprint() != null) {
      // RFC 8705 §3.1: the token is usable only over a connection presenting this certificate
      builder.claim("cnf", Map.of(CertificateBinding.CONFIRMATION, request.certificateThumbprint()));
    }
    JWTClaimsSet claims = builder.build();
    ECKey key = keys.active();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID())
        .type(new JOSEObjectType("at+jwt")).build(), claims);
    try {
      jwt.sign(new ECDSASigner(key));
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign an access token", e);
    }
    return new TokenOutcome.Issued(jwt.serialize(), settings.tokenTtl().toSeconds(), scope);
  }

  /**
   * RFC 7009: revokes {@code token} if it is a valid token of this issuer issued to {@code clientId} (the
   * caller authenticated the client first, see {@link #authenticateClient}). Invalid or foreign tokens are
   * ignored, as the RFC asks (the endpoint answers 200 either way). False only when the revocation list is full.
   */
  public boolean revoke(String token, String clientId) {
    Optional<JWTClaimsSet> claims = verifyOwn(token);
    if (claims.isEmpty() || !clientId.equals(claims.get().getClaim("client_id"))) {
      return true;
    }
    return revoked.revoke(claims.get().getJWTID(), claims.get().getExpirationTime().toInstant());
  }

  /** Checks client credentials for the revocation and introspection endpoints (blocks on the store). */
  public boolean authenticateClient(String clientId, String clientSecret) {
    return authenticateClient(clientId, clientSecret, null, null) != null;
  }

  /**
   * Checks a client secret or a signed assertion for the revocation and introspection endpoints; returns the
   * authenticated client's id, or null (blocks on the store).
   */
  public String authenticateClient(String clientId, String clientSecret, String assertionType, String assertion) {
    if (!wellFormed(clientId, clientSecret, assertionType, assertion)) {
      return null;
    }
    return authenticate(clientId, clientSecret, assertion).map(OAuthClientRecord::clientId).orElse(null);
  }

  /** One authentication method, in bounds; an assertion of the registered type and no secret beside it. */
  private static boolean wellFormed(String clientId, String secret, String assertionType, String assertion) {
    if (assertion != null || assertionType != null) {
      return ClientAssertions.TYPE.equals(assertionType) && assertion != null && secret == null
          && (clientId == null || clientId.length() <= 128);
    }
    return clientId != null && secret != null && clientId.length() <= 128 && secret.length() <= 256;
  }

  /**
   * The live client these credentials prove, if any. Secrets are compared in constant time against a stand-in
   * hash when the client is unknown; assertions are checked against the client's registered keys.
   */
  private Optional<OAuthClientRecord> authenticate(String clientId, String secret, String assertion) {
    if (assertion != null) {
      String claimed = clientId != null ? clientId : ClientAssertions.claimedClient(assertion);
      if (claimed == null) {
        return Optional.empty();
      }
      Optional<OAuthClientRecord> found = store.findOAuthClient(claimed);
      return found.filter(c -> c.revokedAt() == null && c.jwks() != null
          && assertions.verify(assertion, claimed, c.jwks()));
    }
    Optional<OAuthClientRecord> found = store.findOAuthClient(clientId);
    String presented = hasher.hash(secret);
    String stored = found.map(OAuthClientRecord::secretHash).filter(h -> !h.isEmpty())
        .orElse("0".repeat(presented.length()));
    boolean matches = MessageDigest.isEqual(presented.getBytes(StandardCharsets.US_ASCII),
        stored.getBytes(StandardCharsets.US_ASCII));
    return found.filter(c -> matches && c.revokedAt() == null && c.jwks() == null);
  }

  /**
   * RFC 7662 introspection response members for a request by the authenticated client {@code callerClientId};
   * {@code {"active": false}} for anything not currently valid, and for tokens of another tenant than the caller's,
   * which it may not learn anything about (blocks on the store).
   */
  public Map<String, Object> introspect(String token, String callerClientId) {
    Optional<JWTClaimsSet> found = verifyOwn(token);
    if (found.isEmpty() || denied(found.get())) {
      return Map.of("active", false);
    }
    JWTClaimsSet c = found.get();
    Optional<String> callerTenant = store.findOAuthClient(callerClientId).map(OAuthClientRecord::tenantId);
    if (callerTenant.isEmpty() || !callerTenant.get().equals(c.getClaim("tenant"))) {
      return Map.of("active", false);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("active", true);
    out.put("scope", c.getClaim("scope"));
    out.put("client_id", c.getClaim("client_id"));
    out.put("token_type", "Bearer");
    out.put("exp", c.getExpirationTime().toInstant().getEpochSecond());
    out.put("iat", c.getIssueTime().toInstant().getEpochSecond());
    out.put("sub", c.getSubject());
    out.put("aud", settings.audience());
    out.put("iss", c.getIssuer());
    out.put("jti", c.getJWTID());
    out.put("tenant", c.getClaim("tenant"));
    return out;
  }

  /** RFC 8414 metadata for {@code /.well-known/oauth-authorization-server}. */
  public Map<String, Object> metadata() {
    String base = settings.issuerString();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("issuer", base);
    out.put("token_endpoint", base + "/oauth2/token");
    out.put("jwks_uri", base + "/.well-known/jwks.json");
    out.put("revocation_endpoint", base + "/oauth2/revoke");
    out.put("introspection_endpoint", base + "/oauth2/introspect");
    out.put("grant_types_supported", List.of(GRANT_TYPE));
    out.put("response_types_supported", List.of());
    List<String> methods = List.of("client_secret_basic", "client_secret_post", "private_key_jwt");
    List<String> algorithms = ClientAssertions.ALGORITHMS.stream().map(JWSAlgorithm::getName).sorted().toList();
    out.put("token_endpoint_auth_methods_supported", methods);
    out.put("token_endpoint_auth_signing_alg_values_supported", algorithms);
    out.put("revocation_endpoint_auth_methods_supported", methods);
    out.put("revocation_endpoint_auth_signing_alg_values_supported", algorithms);
    out.put("introspection_endpoint_auth_methods_supported", methods);
    out.put("introspection_endpoint_auth_signing_alg_values_supported", algorithms);
    return out;
  }

  /** This issuer as a trusted issuer of the JWT authenticator: tenant and plan from its own claims. */
  public TrustedIssuer asTrustedIssuer() {
    return new TrustedIssuer(settings.issuerString(), settings.audience(), keys, Set.of(JWSAlgorithm.ES256),
        "tenant", null, "plan", "default", Duration.ofSeconds(30));
  }

  /** Deny list for the JWT authenticator: this issuer's revoked tokens, and every token of a revoked client. */
  public TokenDenyList denyList() {
    String me = settings.issuerString();
    return (issuer, claims) -> me.equals(issuer) && denied(claims);
  }

  private boolean denied(JWTClaimsSet claims) {
    return revoked.isRevoked(claims.getJWTID())
        || claims.getClaim("client_id") instanceof String client && revoked.isClientRevoked(client);
  }

  /**
   * Revokes a client and every token it holds, on every instance that shares the store (within a second). Tokens
   * are denied first, then the client is marked revoked; false when it already was (its tokens are denied again,
   * which changes nothing). Blocks on the store.
   */
  public boolean revokeClient(String clientId) {
    Instant now = clock.instant();
    // longer than any token lives (token-ttl is at most 1 hour), whatever the setting was when it was issued
    revoked.revokeClient(clientId, now.plus(CLIENT_REVOCATION_HOLD));
    return store.revokeOAuthClient(clientId, now);
  }

  /**
   * A new client id: {@code name} (when given) followed by a random suffix, so that ids never collide and nothing
   * can be learnt about other tenants' clients by choosing an id.
   */
  public static String newClientId(String name) {
    byte[] raw = new byte[12];
    RANDOM.nextBytes(raw);
    String suffix = java.util.HexFormat.of().formatHex(raw);
    String id = (name == null ? "client" : name) + "-" + suffix;
    return Ids.requireId("client id", id);
  }

  private Optional<JWTClaimsSet> verifyOwn(String token) {
    if (token == null || token.length() > 8192) {
      return Optional.empty();
    }
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      if (!JWSAlgorithm.ES256.equals(jwt.getHeader().getAlgorithm()) || jwt.getHeader().getKeyID() == null) {
        return Optional.empty();
      }
      JWK key = keys.current().getKeyByKeyId(jwt.getHeader().getKeyID());
      if (!(key instanceof ECKey ec) || !jwt.verify(new ECDSAVerifier(ec))) {
        return Optional.empty();
      }
      JWTClaimsSet claims = jwt.getJWTClaimsSet();
      if (!settings.issuerString().equals(claims.getIssuer()) || claims.getExpirationTime() == null
          || claims.getIssueTime() == null || !clock.instant().isBefore(claims.getExpirationTime().toInstant())) {
        return Optional.empty();
      }
      return Optional.of(claims);
    } catch (ParseException | JOSEException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Space-separated scope tokens, or {@code null} when malformed; empty means "all allowed scopes". */
  private static Set<String> parseScope(String scope) {
    Set<String> out = new LinkedHashSet<>();
    if (scope == null || scope.isBlank()) {
      return out;
    }
    if (scope.length() > 4096) {
      return null;
    }
    for (String part : scope.split(" ")) {
      if (part.isEmpty()) {
        continue;
      }
      try {
        out.add(Ids.requireScope(part));
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
    return out.size() > MAX_SCOPES ? null : out;
  }

  private static String newJti() {
    byte[] id = new byte[16];
    RANDOM.nextBytes(id);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(id);
  }

  private static CompletionStage<TokenOutcome> refused(TokenOutcome.OAuthError error) {
    return CompletableFuture.completedFuture(new TokenOutcome.Refused(error));
  }
}
