package dev.portcullis.identity.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Tenants, principals, credentials and plans. Every method blocks on I/O: call it from a worker
 * executor. Writes that break uniqueness or references throw {@link ConflictException}; an unreachable
 * or failing backend throws {@link StoreException}. Lists are ordered by id and capped at {@code limit}.
 */
public interface IdentityStore extends AutoCloseable {

  void createPlan(Plan plan);

  Optional<Plan> findPlan(String name);

  List<Plan> listPlans(int limit);

  void createTenant(Tenant tenant);

  Optional<Tenant> findTenant(String id);

  List<Tenant> listTenants(int limit);

  /** Replaces a tenant's display name, plan and allowed plans; false when no such tenant. */
  boolean updateTenant(Tenant tenant);

  void createPrincipal(StoredPrincipal principal);

  Optional<StoredPrincipal> findPrincipal(String tenantId, String id);

  List<StoredPrincipal> listPrincipals(String tenantId, int limit);

  void createApiKey(ApiKeyRecord key);

  Optional<ApiKeyRecord> findApiKey(String id);

  /** The key with this peppered hash, with its principal and tenant; empty when unknown. */
  Optional<ResolvedApiKey> resolveApiKey(String hash);

  List<ApiKeyRecord> listApiKeys(String tenantId, int limit);

  /** Marks the key revoked at {@code at}; false when no such key or already revoked. */
  boolean revokeApiKey(String id, Instant at);

  /**
   * Records that {@code oldId} was replaced by {@code newId} and ends its validity at {@code graceEnd}
   * (or keeps an earlier expiry). False when the old key does not exist, is revoked or was already replaced.
   */
  boolean markApiKeyReplaced(String oldId, String newId, Instant graceEnd);

  /** Writes last-used times in one batch; unknown ids are skipped; never moves a time backwards. */
  void recordLastUsed(Map<String, Instant> lastUsedById);

  void createOAuthClient(OAuthClientRecord client);

  Optional<OAuthClientRecord> findOAuthClient(String clientId);

  boolean revokeOAuthClient(String clientId, Instant at);

  void createSigningKey(SigningKeyRecord key);

  /** Signing keys, newest first, at most 16. */
  List<SigningKeyRecord> listSigningKeys();

  /** Marks a key retired at {@code at}; false when unknown or already retired. */
  boolean retireSigningKey(String kid, Instant at);

  /** Deletes keys retired before {@code cutoff}; returns how many. */
  int deleteSigningKeysRetiredBefore(Instant cutoff);

  /** Records that the access token {@code jti} is revoked until it expires; revoking it again changes nothing. */
  void revokeToken(String jti, Instant expiresAt, Instant at);

  /** Tokens revoked at or after {@code revokedSince} that expire after {@code now}: jti to expiry. */
  Map<String, Instant> tokenRevocations(Instant revokedSince, Instant now);

  /** Deletes revocations of tokens that expired at or before {@code now}; returns how many. */
  int purgeTokenRevocations(Instant now);

  @Override
  void close();
}
