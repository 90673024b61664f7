package dev.portcullis.limits;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.auth.IdentitySettings;
import dev.portcullis.config.ConfigNodes;
import dev.portcullis.config.ConfigSection;
import dev.portcullis.config.GatewayConfig;
import dev.portcullis.limit.config.ConfigError;
import dev.portcullis.limit.config.Dimension;
import dev.portcullis.limit.config.LimitsConfig;
import dev.portcullis.limit.config.LimitsConfigParser;
import dev.portcullis.limit.config.ParseResult;
import java.util.List;

/**
 * The {@code limits} section (see docs/limits.md). Absent means no limits. Reloadable: plan and limit edits apply
 * to the next request; {@code failure-mode}, {@code instances} and {@code ledger} are read when the gateway starts.
 *
 * <pre>
 * limits:
 *   ledger: memory                     # or {sqlite: usage.db}, or {postgres: {url: jdbc:postgresql://…, user, password}}
 * </pre>
 */
public final class LimitsSection implements ConfigSection<LimitsSettings> {

  public static final LimitsSection INSTANCE = new LimitsSection();
  private static final String LEDGER = "limits.ledger";

  private LimitsSection() {}

  /** The limit configuration of a gateway snapshot, or null when it has no {@code limits} section. */
  public static LimitsConfig config(GatewayConfig config) {
    LimitsSettings settings = config.feature(INSTANCE, LimitsSettings.class);
    return settings == null ? null : settings.config();
  }

  /**
   * Limits that can never apply as configured, one line each: rules per key, principal or tenant when callers are not
   * identified ({@code identity: {mode: none}}). Every credential type has a key, a principal and a tenant, so with
   * identity on each such rule applies to every caller. Printed by {@code check-config} and logged at start.
   */
  public static List<String> warnings(GatewayConfig config) {
    LimitsConfig limits = config(config);
    IdentitySettings identity = config.feature(dev.portcullis.auth.IdentitySection.INSTANCE, IdentitySettings.class);
    if (limits == null || identity != null && identity.enabled()) {
      return List.of();
    }
    List<String> out = new java.util.ArrayList<>();
    java.util.function.BiConsumer<String, dev.portcullis.limit.config.LimitRule> check = (where, rule) -> {
      for (var d : rule.dimensions()) {
        if (d == Dimension.KEY || d == Dimension.PRINCIPAL || d == Dimension.TENANT) {
          out.add(where + ": limit '" + rule.name() + "' is per " + d.name().toLowerCase(java.util.Locale.ROOT)
              + ", which callers never have without identity (identity mode none): it never applies");
          return;
        }
      }
    };
    limits.globalLimits().forEach(rule -> check.accept("limits.global", rule));
    limits.plans().forEach((name, plan) -> plan.limits().forEach(rule -> check.accept("limits.plans." + name, rule)));
    return out;
  }

  @Override
  public String key() {
    return "limits";
  }

  @Override
  public boolean reloadable() {
    return true;
  }

  @Override
  public LimitsSettings parse(JsonNode node, Context context, List<String> problems) {
    if (node.isMissingNode() || node.isNull()) {
      return null;
    }
    LimitsSettings.Ledger ledger = new LimitsSettings.Ledger.IdentityDatabase();
    JsonNode limits = node;
    if (node instanceof ObjectNode object && object.has("ledger")) {
      ledger = ledger(object.get("ledger"), context, problems);
      limits = object.deepCopy().without("ledger");
    }
    return switch (LimitsConfigParser.parse(limits)) {
      case ParseResult.Valid v -> ledger == null ? null : new LimitsSettings(v.config(), ledger);
      case ParseResult.Invalid i -> {
        for (ConfigError e : i.errors()) {
          problems.add(e.path() + ": " + e.message());
        }
        yield null;
      }
    };
  }

  private static LimitsSettings.Ledger ledger(JsonNode node, Context context, List<String> problems) {
    if (node.isTextual() && node.asText().equals("memory")) {
      return new LimitsSettings.Ledger.Memory();
    }
    if (!node.isObject() || node.has("sqlite") == node.has("postgres")) {
      problems.add(LEDGER + ": must be memory, {sqlite: FILE} or {postgres: {url: jdbc:postgresql://…, user: …, "
          + "password: …}}");
      return null;
    }
    ConfigNodes.knownKeys(node, LEDGER, problems, "sqlite", "postgres");
    if (node.has("sqlite")) {
      String file = text(node, LEDGER, "sqlite", context, problems);
      if (file == null || file.isBlank()) {
        problems.add(LEDGER + ".sqlite: must be a file path");
        return null;
      }
      return new LimitsSettings.Ledger.Database(
          new IdentitySettings.Store(context.baseDir().resolve(file), null, null, null, 0));
    }
    String path = LEDGER + ".postgres";
    JsonNode pg = node.get("postgres");
    if (!pg.isObject()) {
      problems.add(path + ": must be a mapping with url, user, password and pool-size");
      return null;
    }
    ConfigNodes.knownKeys(pg, path, problems, "url", "user", "password", "pool-size");
    String url = text(pg, path, "url", context, problems);
    if (url == null || !url.startsWith("jdbc:postgresql://")) {
      problems.add(path + ".url: must be a jdbc:postgresql:// URL");
    }
    String user = text(pg, path, "user", context, problems);
    String password = text(pg, path, "password", context, problems);
    JsonNode poolNode = pg.path("pool-size");
    int pool = poolNode.isMissingNode() ? 4 : poolNode.canConvertToInt() && poolNode.isIntegralNumber()
        ? poolNode.asInt() : -1;
    if (pool < 1 || pool > 200) {
      problems.add(path + ".pool-size: must be a whole number in 1..200");
    }
    return new LimitsSettings.Ledger.Database(new IdentitySettings.Store(null, url, user, password, pool));
  }

  private static String text(JsonNode node, String path, String key, Context context, List<String> problems) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isValueNode()) {
      problems.add(path + "." + key + ": must be a string");
      return null;
    }
    return context.resolve(v.asText(), path + "." + key, problems);
  }
}
