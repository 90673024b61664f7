package dev.portcullis.identity.apikey;

import dev.portcullis.identity.store.ApiKeyRecord;
import dev.portcullis.identity.store.IdentityStore;
import dev.portcullis.identity.store.OAuthClientRecord;
import dev.portcullis.identity.store.Plan;
import dev.portcullis.identity.store.ResolvedApiKey;
import dev.portcullis.identity.store.SigningKeyRecord;
import dev.portcullis.identity.store.StoredPrincipal;
import dev.portcullis.identity.store.Tenant;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** A real store, with key lookups counted, so tests can prove what the cache saves. */
final class CountingStore implements IdentityStore {

  final IdentityStore delegate;
  final AtomicInteger resolves = new AtomicInteger();

  CountingStore(IdentityStore delegate) {
    this.delegate = delegate;
  }

  @Override public Optional<ResolvedApiKey> resolveApiKey(String hash) {
    resolves.incrementAndGet();
    return delegate.resolveApiKey(hash);
  }

  @Override public void createPlan(Plan plan) { delegate.createPlan(plan); }
  @Override public Optional<Plan> findPlan(String name) { return delegate.findPlan(name); }
  @Override public List<Plan> listPlans(int limit) { return delegate.listPlans(limit); }
  @Override public void createTenant(Tenant tenant) { delegate.createTenant(tenant); }
  @Override public Optional<Tenant> findTenant(String id) { return delegate.findTenant(id); }
  @Override public List<Tenant> listTenants(int limit) { return delegate.listTenants(limit); }
  @Override public boolean updateTenant(Tenant t) { return delegate.updateTenant(t); }
  @Override public void createPrincipal(StoredPrincipal p) { delegate.createPrincipal(p); }
  @Override public Optional<StoredPrincipal> findPrincipal(String t, String id) { return delegate.findPrincipal(t, id); }
  @Override public List<StoredPrincipal> listPrincipals(String t, int limit) { return delegate.listPrincipals(t, limit); }
  @Override public void createApiKey(ApiKeyRecord key) { delegate.createApiKey(key); }
  @Override public Optional<ApiKeyRecord> findApiKey(String id) { return delegate.findApiKey(id); }
  @Override public List<ApiKeyRecord> listApiKeys(String t, int limit) { return delegate.listApiKeys(t, limit); }
  @Override public boolean revokeApiKey(String id, Instant at) { return delegate.revokeApiKey(id, at); }
  @Override public boolean markApiKeyReplaced(String o, String n, Instant g) { return delegate.markApiKeyReplaced(o, n, g); }
  @Override public void recordLastUsed(Map<String, Instant> m) { delegate.recordLastUsed(m); }
  @Override public void createOAuthClient(OAuthClientRecord c) { delegate.createOAuthClient(c); }
  @Override public Optional<OAuthClientRecord> findOAuthClient(String id) { return delegate.findOAuthClient(id); }
  @Override public boolean revokeOAuthClient(String id, Instant at) { return delegate.revokeOAuthClient(id, at); }
  @Override public void createSigningKey(SigningKeyRecord k) { delegate.createSigningKey(k); }
  @Override public List<SigningKeyRecord> listSigningKeys() { return delegate.listSigningKeys(); }
  @Override public boolean retireSigningKey(String kid, Instant at) { return delegate.retireSigningKey(kid, at); }
  @Override public int deleteSigningKeysRetiredBefore(Instant c) { return delegate.deleteSigningKeysRetiredBefore(c); }
  @Override public void revokeToken(String j, Instant e, Instant a) { delegate.revokeToken(j, e, a); }
  @Override public java.util.Map<String, Instant> tokenRevocations(Instant s, Instant n) {
    return delegate.tokenRevocations(s, n);
  }
  @Override public int purgeTokenRevocations(Instant n) { return delegate.purgeTokenRevocations(n); }
  @Override public void close() { delegate.close(); }
}
