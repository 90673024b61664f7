package dev.portcullis.identity.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The compatibility suite every {@link IdentityStore} backend passes. Each test gets an empty store. */
abstract class AbstractIdentityStoreTest {

  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  IdentityStore store;

  /** A new, empty, migrated store. */
  abstract IdentityStore newStore() throws Exception;

  @BeforeEach
  void open() throws Exception {
    store = newStore();
  }

  @AfterEach
  void close() {
    store.close();
  }

  void seedAcme() {
    store.createPlan(new Plan("pro", "Pro plan"));
    store.createTenant(new Tenant("acme", "Acme Corp", "pro", T0, false));
    store.createPrincipal(new StoredPrincipal("billing-bot", "acme", PrincipalKind.APPLICATION, null,
        Map.of("team", "billing"), T0));
  }

  static ApiKeyRecord key(String id, String hash) {
    return new ApiKeyRecord(id, "acme", "billing-bot", "live", hash, "abcd", Set.of("chat", "embed"),
        List.of("10.0.0.0/8"), T0, null, null, null, null);
  }

  @Test
  void storesAndFindsPlansTenantsAndPrincipals() {
    seedAcme();
    assertThat(store.findPlan("pro")).contains(new Plan("pro", "Pro plan"));
    assertThat(store.findTenant("acme")).contains(new Tenant("acme", "Acme Corp", "pro", T0, false));
    assertThat(store.findPrincipal("acme", "billing-bot")).get()
        .satisfies(p -> {
          assertThat(p.kind()).isEqualTo(PrincipalKind.APPLICATION);
          assertThat(p.plan()).isNull();
          assertThat(p.attributes()).containsEntry("team", "billing");
        });
    assertThat(store.findTenant("nobody")).isEmpty();
    assertThat(store.findPrincipal("other", "billing-bot")).isEmpty();
  }

  @Test
  void updatesATenantsPlanAndAllowedPlans() {
    seedAcme();
    store.createPlan(new Plan("premium", "Premium"));
    assertThat(store.updateTenant(new Tenant("acme", "Acme Inc", "premium", T0, false, Set.of("pro", "premium"))))
        .isTrue();
    Tenant t = store.findTenant("acme").orElseThrow();
    assertThat(t.plan()).isEqualTo("premium");
    assertThat(t.displayName()).isEqualTo("Acme Inc");
    assertThat(t.allowedPlans()).containsExactlyInAnyOrder("pro", "premium");
    assertThat(store.updateTenant(new Tenant("nobody", "N", "pro", T0, false))).isFalse();
    assertThatThrownBy(() -> store.updateTenant(new Tenant("acme", "A", "no-such-plan", T0, false)))
        .isInstanceOf(ConflictException.class);
  }

  @Test
  void refusesDuplicateTenantWithConflict() {
    seedAcme();
    assertThatThrownBy(() -> store.createTenant(new Tenant("acme", "Again", "pro", T0, false)))
        .isInstanceOf(ConflictException.class);
  }

  @Test
  void refusesReferencesToMissingPlanTenantOrPrincipal() {
    seedAcme();
    assertThatThrownBy(() -> store.createTenant(new Tenant("beta", "Beta", "no-such-plan", T0, false)))
        .isInstanceOf(ConflictException.class);
    assertThatThrownBy(() -> store.createPrincipal(
        new StoredPrincipal("x", "no-such-tenant", PrincipalKind.USER, null, Map.of(), T0)))
        .isInstanceOf(ConflictException.class);
    assertThatThrownBy(() -> store.createApiKey(new ApiKeyRecord("k1", "acme", "ghost", "live", "h", "abcd",
        Set.of(), List.of(), T0, null, null, null, null)))
        .isInstanceOf(ConflictException.class);
  }

  @Test
  void resolvesApiKeyByHashWithItsPrincipalAndTenant() {
    seedAcme();
    store.createApiKey(key("k1", "hash-1"));
    ResolvedApiKey resolved = store.resolveApiKey("hash-1").orElseThrow();
    assertThat(resolved.key()).isEqualTo(key("k1", "hash-1"));
    assertThat(resolved.principal().id()).isEqualTo("billing-bot");
    assertThat(resolved.tenant().id()).isEqualTo("acme");
    assertThat(resolved.effectivePlan()).isEqualTo("pro");
    assertThat(store.resolveApiKey("hash-2")).isEmpty();
  }

  @Test
  void aKeysOwnPlanIsStoredAndComesBeforeItsPrincipalsAndTenants() {
    seedAcme();
    store.createPlan(new Plan("batch", "Batch jobs"));
    ApiKeyRecord own = new ApiKeyRecord("k1", "acme", "billing-bot", "live", "hash-1", "abcd", Set.of(), List.of(),
        T0, null, null, null, null, "batch");
    store.createApiKey(own);
    ResolvedApiKey resolved = store.resolveApiKey("hash-1").orElseThrow();
    assertThat(resolved.key()).isEqualTo(own);
    assertThat(resolved.effectivePlan()).isEqualTo("batch");
    assertThat(store.findApiKey("k1")).contains(own);
    assertThatThrownBy(() -> store.createApiKey(new ApiKeyRecord("k2", "acme", "billing-bot", "live", "hash-2",
        "abcd", Set.of(), List.of(), T0, null, null, null, null, "no-such-plan")))
        .isInstanceOf(ConflictException.class);
  }

  @Test
  void refusesTwoKeysWithTheSameHash() {
    seedAcme();
    store.createApiKey(key("k1", "same"));
    assertThatThrownBy(() -> store.createApiKey(key("k2", "same"))).isInstanceOf(ConflictException.class);
  }

  @Test
  void revokesAKeyOnlyOnce() {
    seedAcme();
    store.createApiKey(key("k1", "hash-1"));
    assertThat(store.revokeApiKey("k1", T0.plusSeconds(5))).isTrue();
    assertThat(store.revokeApiKey("k1", T0.plusSeconds(9))).isFalse();
    assertThat(store.revokeApiKey("missing", T0)).isFalse();
    assertThat(store.findApiKey("k1").orElseThrow().revokedAt()).isEqualTo(T0.plusSeconds(5));
  }

  @Test
  void replacingAKeyEndsItAtTheGraceEndButKeepsAnEarlierExpiry() {
    seedAcme();
    store.createApiKey(key("k1", "hash-1"));
    store.createApiKey(new ApiKeyRecord("k2", "acme", "billing-bot", "live", "hash-2", "abcd", Set.of(), List.of(),
        T0, T0.plusSeconds(10), null, null, null));
    store.createApiKey(key("k3", "hash-3"));

    assertThat(store.markApiKeyReplaced("k1", "k3", T0.plusSeconds(3600))).isTrue();
    assertThat(store.markApiKeyReplaced("k2", "k3", T0.plusSeconds(3600))).isTrue();
    assertThat(store.markApiKeyReplaced("k1", "k3", T0.plusSeconds(7200))).isFalse();

    assertThat(store.findApiKey("k1").orElseThrow())
        .satisfies(k -> {
          assertThat(k.expiresAt()).isEqualTo(T0.plusSeconds(3600));
          assertThat(k.replacedBy()).isEqualTo("k3");
        });
    assertThat(store.findApiKey("k2").orElseThrow().expiresAt()).isEqualTo(T0.plusSeconds(10));
  }

  @Test
  void recordsLastUsedInOneBatchAndNeverMovesItBackwards() {
    seedAcme();
    store.createApiKey(key("k1", "hash-1"));
    store.createApiKey(key("k2", "hash-2"));
    store.recordLastUsed(Map.of("k1", T0.plusSeconds(100), "k2", T0.plusSeconds(50), "ghost", T0));
    store.recordLastUsed(Map.of("k1", T0.plusSeconds(10)));
    assertThat(store.findApiKey("k1").orElseThrow().lastUsedAt()).isEqualTo(T0.plusSeconds(100));
    assertThat(store.findApiKey("k2").orElseThrow().lastUsedAt()).isEqualTo(T0.plusSeconds(50));
  }

  @Test
  void listsAreOrderedByIdAndCappedAtTheLimit() {
    seedAcme();
    store.createTenant(new Tenant("zeta", "Zeta", "pro", T0, true));
    store.createTenant(new Tenant("beta", "Beta", "pro", T0, false));
    store.createApiKey(key("k2", "h2"));
    store.createApiKey(key("k1", "h1"));
    store.createApiKey(key("k3", "h3"));
    assertThat(store.listTenants(10)).extracting(Tenant::id).containsExactly("acme", "beta", "zeta");
    assertThat(store.listTenants(2)).extracting(Tenant::id).containsExactly("acme", "beta");
    assertThat(store.listApiKeys("acme", 10)).extracting(ApiKeyRecord::id).containsExactly("k1", "k2", "k3");
    assertThat(store.listApiKeys("beta", 10)).isEmpty();
    assertThat(store.listPlans(10)).extracting(Plan::name).containsExactly("pro");
    assertThat(store.listPrincipals("acme", 10)).extracting(StoredPrincipal::id).containsExactly("billing-bot");
    assertThatThrownBy(() -> store.listTenants(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void storesOAuthClientsWithHashedSecretsAndRevokesThem() {
    seedAcme();
    OAuthClientRecord client = new OAuthClientRecord("ci-runner", "acme", "billing-bot", "secret-hash",
        Set.of("chat"), T0, null);
    store.createOAuthClient(client);
    assertThat(store.findOAuthClient("ci-runner")).contains(client);
    assertThat(store.revokeOAuthClient("ci-runner", T0.plusSeconds(1))).isTrue();
    assertThat(store.revokeOAuthClient("ci-runner", T0.plusSeconds(2))).isFalse();
    assertThat(store.findOAuthClient("ci-runner").orElseThrow().revokedAt()).isEqualTo(T0.plusSeconds(1));
    assertThat(store.findOAuthClient("nobody")).isEmpty();
    OAuthClientRecord keyed = new OAuthClientRecord("signer", "acme", "billing-bot", "", Set.of("chat"), T0, null,
        "{\"keys\":[]}");
    store.createOAuthClient(keyed);
    assertThat(store.findOAuthClient("signer")).contains(keyed);
  }

  @Test
  void keepsTokenRevocationsUntilTheTokensExpire() {
    store.revokeToken("jti-1", T0.plusSeconds(300), T0);
    store.revokeToken("jti-2", T0.plusSeconds(60), T0.plusSeconds(10));
    store.revokeToken("jti-1", T0.plusSeconds(300), T0.plusSeconds(20)); // again: no error, no change
    assertThat(store.tokenRevocations(Instant.EPOCH, T0.plusSeconds(30)))
        .containsOnly(Map.entry("jti-1", T0.plusSeconds(300)), Map.entry("jti-2", T0.plusSeconds(60)));
    assertThat(store.tokenRevocations(T0.plusSeconds(5), T0.plusSeconds(30))).containsOnlyKeys("jti-2");
    assertThat(store.tokenRevocations(Instant.EPOCH, T0.plusSeconds(60))).containsOnlyKeys("jti-1");
    assertThat(store.purgeTokenRevocations(T0.plusSeconds(60))).isEqualTo(1);
    assertThat(store.tokenRevocations(Instant.EPOCH, T0)).containsOnlyKeys("jti-1");
  }

  @Test
  void keepsSigningKeysNewestFirstAndDeletesLongRetiredOnes() {
    store.createSigningKey(new SigningKeyRecord("k-old", "sealed-1", T0, null));
    store.createSigningKey(new SigningKeyRecord("k-new", "sealed-2", T0.plusSeconds(60), null));
    assertThat(store.listSigningKeys()).extracting(SigningKeyRecord::kid).containsExactly("k-new", "k-old");
    assertThat(store.retireSigningKey("k-old", T0.plusSeconds(60))).isTrue();
    assertThat(store.retireSigningKey("k-old", T0.plusSeconds(70))).isFalse();
    assertThat(store.deleteSigningKeysRetiredBefore(T0.plusSeconds(60))).isZero();
    assertThat(store.deleteSigningKeysRetiredBefore(T0.plusSeconds(61))).isEqualTo(1);
    assertThat(store.listSigningKeys()).extracting(SigningKeyRecord::kid).containsExactly("k-new");
    assertThatThrownBy(() -> store.createSigningKey(new SigningKeyRecord("k-new", "x", T0, null)))
        .isInstanceOf(ConflictException.class);
  }
}
