package dev.portcullis.identity.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * JDBC implementation shared by the SQLite and PostgreSQL backends: the schemas differ only in column
 * types (see the Flyway migrations), so the statements are the same. Times are epoch milliseconds.
 */
final class JdbcIdentityStore implements IdentityStore {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};
  private static final int MAX_LIST = 10_000;
  private static final String KEY_COLUMNS =
      "id, tenant_id, principal_id, environment, hash, hint, scopes, allowed_cidrs, created_at, expires_at,"
          + " revoked_at, replaced_by, last_used_at, plan";

  private final HikariDataSource dataSource;
  private final String backend;

  JdbcIdentityStore(HikariDataSource dataSource, String backend) {
    this.dataSource = dataSource;
    this.backend = backend;
  }

  @Override
  public void createPlan(Plan plan) {
    update("create plan", "INSERT INTO plans(name, description) VALUES (?, ?)", plan.name(), plan.description());
  }

  @Override
  public Optional<Plan> findPlan(String name) {
    return one("find plan", "SELECT name, description FROM plans WHERE name = ?",
        rs -> new Plan(rs.getString(1), rs.getString(2)), name);
  }

  @Override
  public List<Plan> listPlans(int limit) {
    return many("list plans", "SELECT name, description FROM plans ORDER BY name LIMIT ?",
        rs -> new Plan(rs.getString(1), rs.getString(2)), cap(limit));
  }

  @Override
  public void createTenant(Tenant t) {
    update("create tenant",
        "INSERT INTO tenants(id, display_name, plan, created_at, disabled, allowed_plans) VALUES (?, ?, ?, ?, ?, ?)",
        t.id(), t.displayName(), t.plan(), t.createdAt(), t.disabled(), String.join(" ", sorted(t.allowedPlans())));
  }

  @Override
  public boolean updateTenant(Tenant t) {
    return update("update tenant", "UPDATE tenants SET display_name = ?, plan = ?, allowed_plans = ? WHERE id = ?",
        t.displayName(), t.plan(), String.join(" ", sorted(t.allowedPlans())), t.id()) == 1;
  }

  @Override
  public Optional<Tenant> findTenant(String id) {
    return one("find tenant",
        "SELECT id, display_name, plan, created_at, disabled, allowed_plans FROM tenants WHERE id = ?", JdbcIdentityStore::tenant, id);
  }

  @Override
  public List<Tenant> listTenants(int limit) {
    return many("list tenants",
        "SELECT id, display_name, plan, created_at, disabled, allowed_plans FROM tenants ORDER BY id LIMIT ?",
        JdbcIdentityStore::tenant, cap(limit));
  }

  @Override
  public void createPrincipal(StoredPrincipal p) {
    update("create principal",
        "INSERT INTO principals(tenant_id, id, kind, plan, attributes, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        p.tenantId(), p.id(), p.kind().name(), p.plan(), toJson(p.attributes()), p.createdAt());
  }

  @Override
  public Optional<StoredPrincipal> findPrincipal(String tenantId, String id) {
    return one("find principal",
        "SELECT id, tenant_id, kind, plan, attributes, created_at FROM principals WHERE tenant_id = ? AND id = ?",
        JdbcIdentityStore::principal, tenantId, id);
  }

  @Override
  public List<StoredPrincipal> listPrincipals(String tenantId, int limit) {
    return many("list principals",
        "SELECT id, tenant_id, kind, plan, attributes, created_at FROM principals WHERE tenant_id = ?"
            + " ORDER BY id LIMIT ?",
        JdbcIdentityStore::principal, tenantId, cap(limit));
  }

  @Override
  public void createApiKey(ApiKeyRecord k) {
    update("create api key",
        "INSERT INTO api_keys(" + KEY_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        k.id(), k.tenantId(), k.principalId(), k.environment(), k.hash(), k.hint(), String.join(" ", k.scopes()),
        String.join(",", k.allowedCidrs()), k.createdAt(), k.expiresAt(), k.revokedAt(), k.replacedBy(),
        k.lastUsedAt(), k.plan());
  }

  @Override
  public Optional<ApiKeyRecord> findApiKey(String id) {
    return one("find api key", "SELECT " + KEY_COLUMNS + " FROM api_keys WHERE id = ?", JdbcIdentityStore::apiKey, id);
  }

  @Override
  public Optional<ResolvedApiKey> resolveApiKey(String hash) {
    try (Connection c = dataSource.getConnection()) {
      Optional<ApiKeyRecord> key = one(c, "SELECT " + KEY_COLUMNS + " FROM api_keys WHERE hash = ?",
          JdbcIdentityStore::apiKey, hash);
      if (key.isEmpty()) {
        return Optional.empty();
      }
      Optional<StoredPrincipal> principal = one(c,
          "SELECT id, tenant_id, kind, plan, attributes, created_at FROM principals WHERE tenant_id = ? AND id = ?",
          JdbcIdentityStore::principal, key.get().tenantId(), key.get().principalId());
      Optional<Tenant> tenant = one(c,
          "SELECT id, display_name, plan, created_at, disabled, allowed_plans FROM tenants WHERE id = ?",
          JdbcIdentityStore::tenant, key.get().tenantId());
      if (principal.isEmpty() || tenant.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(new ResolvedApiKey(key.get(), principal.get(), tenant.get()));
    } catch (SQLException e) {
      throw new StoreException(backend + ": resolve api key failed", e);
    }
  }

  @Override
  public List<ApiKeyRecord> listApiKeys(String tenantId, int limit) {
    return many("list api keys",
        "SELECT " + KEY_COLUMNS + " FROM api_keys WHERE tenant_id = ? ORDER BY id LIMIT ?",
        JdbcIdentityStore::apiKey, tenantId, cap(limit));
  }

  @Override
  public boolean revokeApiKey(String id, Instant at) {
    return update("revoke api key", "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", at, id)
        == 1;
  }

  @Override
  public boolean markApiKeyReplaced(String oldId, String newId, Instant graceEnd) {
    return update("replace api key",
        "UPDATE api_keys SET replaced_by = ?,"
            + " expires_at = CASE WHEN expires_at IS NOT NULL AND expires_at < ? THEN expires_at ELSE ? END"
            + " WHERE id = ? AND revoked_at IS NULL AND replaced_by IS NULL",
        newId, graceEnd, graceEnd, oldId) == 1;
  }

  @Override
  public void recordLastUsed(Map<String, Instant> lastUsedById) {
    if (lastUsedById.isEmpty()) {
      return;
    }
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)")) {
        for (Map.Entry<String, Instant> e : lastUsedById.entrySet()) {
          long millis = e.getValue().toEpochMilli();
          ps.setLong(1, millis);
          ps.setString(2, e.getKey());
          ps.setLong(3, millis);
          ps.addBatch();
        }
        ps.executeBatch();
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException(backend + ": record last used failed", e);
    }
  }

  @Override
  public void createOAuthClient(OAuthClientRecord o) {
    update("create oauth client",
        "INSERT INTO oauth_clients(client_id, tenant_id, principal_id, secret_hash, allowed_scopes, created_at,"
            + " revoked_at, jwks) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        o.clientId(), o.tenantId(), o.principalId(), o.secretHash(), String.join(" ", o.allowedScopes()),
        o.createdAt(), o.revokedAt(), o.jwks());
  }

  @Override
  public Optional<OAuthClientRecord> findOAuthClient(String clientId) {
    return one("find oauth client",
        "SELECT client_id, tenant_id, principal_id, secret_hash, allowed_scopes, created_at, revoked_at, jwks"
            + " FROM oauth_clients WHERE client_id = ?",
        rs -> new OAuthClientRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
            words(rs.getString(5), " "), instant(rs, 6), instant(rs, 7), rs.getString(8)),
        clientId);
  }

  @Override
  public boolean revokeOAuthClient(String clientId, Instant at) {
    return update("revoke oauth client",
        "UPDATE oauth_clients SET revoked_at = ? WHERE client_id = ? AND revoked_at IS NULL", at, clientId) == 1;
  }

  @Override
  public void createSigningKey(SigningKeyRecord k) {
    update("create signing key", "INSERT INTO oauth_signing_keys(kid, sealed_jwk, created_at, retired_at)"
        + " VALUES (?, ?, ?, ?)", k.kid(), k.sealedJwk(), k.createdAt(), k.retiredAt());
  }

  @Override
  public List<SigningKeyRecord> listSigningKeys() {
    return many("list signing keys", "SELECT kid, sealed_jwk, created_at, retired_at FROM oauth_signing_keys"
            + " ORDER BY created_at DESC, kid DESC LIMIT ?",
        rs -> new SigningKeyRecord(rs.getString(1), rs.getString(2), instant(rs, 3), instant(rs, 4)), 16);
  }

  @Override
  public boolean retireSigningKey(String kid, Instant at) {
    return update("retire signing key",
        "UPDATE oauth_signing_keys SET retired_at = ? WHERE kid = ? AND retired_at IS NULL", at, kid) == 1;
  }

  @Override
  public int deleteSigningKeysRetiredBefore(Instant cutoff) {
    return update("delete signing keys", "DELETE FROM oauth_signing_keys WHERE retired_at IS NOT NULL AND retired_at < ?",
        cutoff);
  }

  @Override
  public void revokeToken(String jti, Instant expiresAt, Instant at) {
    update("revoke token", "INSERT INTO oauth_revoked_tokens(jti, expires_at, revoked_at) VALUES (?, ?, ?)"
        + " ON CONFLICT (jti) DO NOTHING", jti, expiresAt, at);
  }

  @Override
  public Map<String, Instant> tokenRevocations(Instant revokedSince, Instant now) {
    Map<String, Instant> found = new HashMap<>();
    for (Map.Entry<String, Instant> e : many("list revoked tokens",
        "SELECT jti, expires_at FROM oauth_revoked_tokens WHERE revoked_at >= ? AND expires_at > ?",
        rs -> Map.entry(rs.getString(1), instant(rs, 2)), revokedSince, now)) {
      found.put(e.getKey(), e.getValue());
    }
    return found;
  }

  @Override
  public int purgeTokenRevocations(Instant now) {
    return update("purge revoked tokens", "DELETE FROM oauth_revoked_tokens WHERE expires_at <= ?", now);
  }

  @Override
  public void close() {
    dataSource.close();
  }

  // --- mapping

  private interface Row<T> {
    T map(ResultSet rs) throws SQLException;
  }

  private static Tenant tenant(ResultSet rs) throws SQLException {
    return new Tenant(rs.getString(1), rs.getString(2), rs.getString(3), instant(rs, 4), rs.getBoolean(5),
        words(rs.getString(6), " "));
  }

  private static StoredPrincipal principal(ResultSet rs) throws SQLException {
    return new StoredPrincipal(rs.getString(1), rs.getString(2), PrincipalKind.valueOf(rs.getString(3)),
        rs.getString(4), fromJson(rs.getString(5)), instant(rs, 6));
  }

  private static ApiKeyRecord apiKey(ResultSet rs) throws SQLException {
    return new ApiKeyRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
        rs.getString(6), words(rs.getString(7), " "), List.copyOf(words(rs.getString(8), ",")), instant(rs, 9),
        instant(rs, 10), instant(rs, 11), rs.getString(12), instant(rs, 13), rs.getString(14));
  }

  private static Set<String> words(String joined, String separator) {
    if (joined == null || joined.isEmpty()) {
      return Set.of();
    }
    return new LinkedHashSet<>(Arrays.asList(joined.split(separator)));
  }

  private static List<String> sorted(Set<String> names) {
    return names.stream().sorted().toList();
  }

  private static Instant instant(ResultSet rs, int column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : Instant.ofEpochMilli(v);
  }

  private static String toJson(Map<String, String> map) {
    try {
      return JSON.writeValueAsString(map);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode attributes", e);
    }
  }

  private static Map<String, String> fromJson(String json) {
    try {
      return JSON.readValue(json, STRING_MAP);
    } catch (JsonProcessingException e) {
      throw new StoreException("stored principal attributes are not valid JSON", e);
    }
  }

  private static int cap(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive");
    }
    return Math.min(limit, MAX_LIST);
  }

  // --- statements

  private int update(String what, String sql, Object... args) {
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, args);
      return ps.executeUpdate();
    } catch (SQLException e) {
      if (isConstraintViolation(e)) {
        throw new ConflictException(what + ": duplicate id or missing referenced tenant, principal or plan", e);
      }
      throw new StoreException(backend + ": " + what + " failed", e);
    }
  }

  private <T> Optional<T> one(String what, String sql, Row<T> row, Object... args) {
    try (Connection c = dataSource.getConnection()) {
      return one(c, sql, row, args);
    } catch (SQLException e) {
      throw new StoreException(backend + ": " + what + " failed", e);
    }
  }

  private static <T> Optional<T> one(Connection c, String sql, Row<T> row, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, args);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(row.map(rs)) : Optional.empty();
      }
    }
  }

  private <T> List<T> many(String what, String sql, Row<T> row, Object... args) {
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, args);
      try (ResultSet rs = ps.executeQuery()) {
        List<T> out = new ArrayList<>();
        while (rs.next()) {
          out.add(row.map(rs));
        }
        return out;
      }
    } catch (SQLException e) {
      throw new StoreException(backend + ": " + what + " failed", e);
    }
  }

  private static void bind(PreparedStatement ps, Object... args) throws SQLException {
    for (int i = 0; i < args.length; i++) {
      Object a = args[i];
      switch (a) {
        case null -> ps.setNull(i + 1, Types.OTHER);
        case Instant t -> ps.setLong(i + 1, t.toEpochMilli());
        case Boolean b -> ps.setBoolean(i + 1, b);
        case Integer n -> ps.setInt(i + 1, n);
        case String s -> ps.setString(i + 1, s);
        default -> throw new IllegalArgumentException("unsupported parameter type " + a.getClass());
      }
    }
  }

  private static boolean isConstraintViolation(SQLException e) {
    // PostgreSQL: SQLSTATE class 23 (integrity constraint violation); SQLite: result code 19 (SQLITE_CONSTRAINT).
    String state = e.getSQLState();
    return (state != null && state.startsWith("23")) || (e.getErrorCode() & 0xff) == 19;
  }
}
