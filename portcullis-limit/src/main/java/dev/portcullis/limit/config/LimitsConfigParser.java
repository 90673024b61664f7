package dev.portcullis.limit.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the {@code limits} section (as parsed by Jackson from YAML or JSON) into a validated
 * {@link LimitsConfig}. Never throws on bad input: every problem is reported with its path. Unknown
 * fields are errors, so a typo cannot silently drop a limit.
 */
public final class LimitsConfigParser {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");
    private static final Pattern HEADER_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");
    private static final long MAX_LIMIT = 1_000_000_000_000L;

    private final List<ConfigError> errors = new ArrayList<>();

    private LimitsConfigParser() {}

    /** Parses plain maps and lists (as a YAML loader returns them) for the {@code limits:} section. */
    public static ParseResult parse(java.util.Map<String, ?> limits) {
        JsonNode tree;
        try {
            tree = new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(limits);
        } catch (IllegalArgumentException e) {
            return new ParseResult.Invalid(List.of(new ConfigError("limits", "cannot be read as plain data")));
        }
        return parse(tree);
    }

    /** Parses {@code root}, the object under {@code limits:}. */
    public static ParseResult parse(JsonNode root) {
        LimitsConfigParser p = new LimitsConfigParser();
        LimitsConfig config = p.config(root);
        if (!p.errors.isEmpty() || config == null) {
            return new ParseResult.Invalid(p.errors.isEmpty()
                    ? List.of(new ConfigError("limits", "invalid")) : p.errors);
        }
        return new ParseResult.Valid(config);
    }

    private LimitsConfig config(JsonNode root) {
        if (root == null || !root.isObject()) {
            error("limits", "must be an object");
            return null;
        }
        known(root, "limits", "failure-mode", "instances", "reservation-ttl", "stream-overflow", "time-zone",
                "tenant-time-zones", "default-plan", "prices", "global", "plans");
        FailureMode failure = enumValue(root.get("failure-mode"), "limits.failure-mode", FailureMode.class,
                FailureMode.FAIL_OPEN_LOCAL);
        int instances = (int) longValue(root.get("instances"), "limits.instances", 1, 10_000, 1);
        Duration ttl = duration(root.get("reservation-ttl"), "limits.reservation-ttl", Duration.ofMinutes(10));
        StreamOverflow overflow = enumValue(root.get("stream-overflow"), "limits.stream-overflow",
                StreamOverflow.class, StreamOverflow.CUT);
        ZoneId zone = zone(root.get("time-zone"), "limits.time-zone");
        Map<String, ZoneId> tenantZones = tenantZones(root.get("tenant-time-zones"), "limits.tenant-time-zones");
        PriceTable prices = prices(root.get("prices"), "limits.prices");
        Set<String> names = new HashSet<>();
        List<LimitRule> global = rules(root.get("global"), "limits.global", names);
        Map<String, Plan> plans = new LinkedHashMap<>();
        JsonNode plansNode = root.get("plans");
        if (plansNode == null || !plansNode.isObject() || plansNode.isEmpty()) {
            error("limits.plans", "must define at least one plan");
        } else {
            Iterator<Map.Entry<String, JsonNode>> it = plansNode.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                String path = "limits.plans." + e.getKey();
                if (!NAME.matcher(e.getKey()).matches()) {
                    error(path, "plan name must match " + NAME.pattern());
                    continue;
                }
                Plan plan = plan(e.getKey(), e.getValue(), path, names);
                if (plan != null) {
                    plans.put(plan.name(), plan);
                }
            }
        }
        String defaultPlan = text(root.get("default-plan"), "limits.default-plan", null);
        if (defaultPlan == null && plans.size() == 1) {
            defaultPlan = plans.keySet().iterator().next();
        } else if (defaultPlan == null) {
            error("limits.default-plan", "required when more than one plan is defined");
        } else if (!plans.containsKey(defaultPlan) && !errors.stream().anyMatch(x -> x.path().startsWith("limits.plans"))) {
            error("limits.default-plan", "names no defined plan: " + defaultPlan);
        }
        if (!errors.isEmpty()) {
            return null;
        }
        return new LimitsConfig(global, plans, defaultPlan, prices, failure, instances, ttl, overflow, zone,
                tenantZones);
    }

    private Plan plan(String name, JsonNode node, String path, Set<String> names) {
        if (!node.isObject()) {
            error(path, "must be an object");
            return null;
        }
        known(node, path, "priority", "models", "max-output-tokens", "default-output-tokens", "limits");
        int before = errors.size();
        PriorityClass priority = enumValue(node.get("priority"), path + ".priority", PriorityClass.class,
                PriorityClass.NORMAL);
        Set<String> models = new LinkedHashSet<>();
        JsonNode m = node.get("models");
        if (m != null) {
            if (!m.isArray()) {
                error(path + ".models", "must be a list of model names");
            } else {
                for (int i = 0; i < m.size(); i++) {
                    String model = text(m.get(i), path + ".models[" + i + "]", null);
                    if (model != null) {
                        models.add(model);
                    }
                }
            }
        }
        long max = longValue(node.get("max-output-tokens"), path + ".max-output-tokens", 1, 10_000_000, 4096);
        long def = longValue(node.get("default-output-tokens"), path + ".default-output-tokens", 1, 10_000_000,
                Math.min(max, 1024));
        if (def > max) {
            error(path + ".default-output-tokens", "must not exceed max-output-tokens (" + max + ")");
        }
        List<LimitRule> limits = rules(node.get("limits"), path + ".limits", names);
        if (errors.size() > before) {
            return null;
        }
        return new Plan(name, limits, models, max, def, priority);
    }

    private List<LimitRule> rules(JsonNode node, String path, Set<String> names) {
        List<LimitRule> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isArray()) {
            error(path, "must be a list of limits");
            return out;
        }
        for (int i = 0; i < node.size(); i++) {
            LimitRule r = rule(node.get(i), path + "[" + i + "]", names);
            if (r != null) {
                out.add(r);
            }
        }
        return out;
    }

    private LimitRule rule(JsonNode node, String path, Set<String> names) {
        if (!node.isObject()) {
            error(path, "must be an object");
            return null;
        }
        known(node, path, "name", "per", "unit", "algorithm", "limit", "period", "burst", "models");
        int before = errors.size();
        String name = text(node.get("name"), path + ".name", null);
        if (name == null) {
            error(path + ".name", "required");
        } else if (!NAME.matcher(name).matches()) {
            error(path + ".name", "must match " + NAME.pattern());
        } else if (!names.add(name)) {
            error(path + ".name", "duplicate limit name " + name + " (names are shown to callers and must be unique)");
        }
        Unit unit = enumValue(node.get("unit"), path + ".unit", Unit.class, null);
        if (unit == null && node.get("unit") == null) {
            error(path + ".unit", "required: one of requests, tokens, spend, concurrency");
        }
        List<Dimension> dims = new ArrayList<>();
        String header = null;
        JsonNode per = node.get("per");
        if (per == null || !per.isArray() || per.isEmpty()) {
            error(path + ".per", "required: a non-empty list of ip, key, principal, tenant, route, model, global, header:NAME");
        } else {
            for (int i = 0; i < per.size(); i++) {
                String p = per.get(i).isTextual() ? per.get(i).asText().toLowerCase(Locale.ROOT) : "";
                String at = path + ".per[" + i + "]";
                Dimension d;
                if (p.startsWith("header:")) {
                    String h = p.substring("header:".length());
                    if (!HEADER_NAME.matcher(h).matches() || header != null) {
                        error(at, "header:NAME needs one valid header name");
                        continue;
                    }
                    header = h;
                    d = Dimension.HEADER;
                } else {
                    d = null;
                    for (Dimension x : Dimension.values()) {
                        if (x != Dimension.HEADER && x.configName().equals(p)) {
                            d = x;
                        }
                    }
                    if (d == null) {
                        error(at, "unknown dimension '" + per.get(i).asText() + "'");
                        continue;
                    }
                }
                if (dims.contains(d)) {
                    error(at, "repeated dimension");
                } else {
                    dims.add(d);
                }
            }
            if (dims.contains(Dimension.GLOBAL) && dims.size() > 1) {
                error(path + ".per", "global cannot be combined with other dimensions");
            }
        }
        long limit = longValue(node.get("limit"), path + ".limit", 1, MAX_LIMIT, -1);
        if (node.get("limit") == null) {
            error(path + ".limit", "required");
        }
        Algorithm algorithm = null;
        Duration period = null;
        if (unit == Unit.CONCURRENCY) {
            if (node.get("algorithm") != null) {
                error(path + ".algorithm", "a concurrency limit has no algorithm");
            }
            period = duration(node.get("period"), path + ".period", Duration.ofMinutes(10));
        } else if (unit != null) {
            algorithm = enumValue(node.get("algorithm"), path + ".algorithm", Algorithm.class, null);
            if (node.get("algorithm") == null) {
                error(path + ".algorithm", "required: token-bucket, sliding-window, daily or monthly");
            }
            if (algorithm == Algorithm.DAILY || algorithm == Algorithm.MONTHLY) {
                if (node.get("period") != null) {
                    error(path + ".period", "a " + algorithm.name().toLowerCase(Locale.ROOT)
                            + " budget follows the calendar and takes no period");
                }
            } else if (algorithm != null) {
                period = duration(node.get("period"), path + ".period", null);
                if (node.get("period") == null) {
                    error(path + ".period", "required");
                }
            }
        }
        long burst = limit;
        if (node.get("burst") != null) {
            if (algorithm != Algorithm.TOKEN_BUCKET) {
                error(path + ".burst", "only a token-bucket has a burst");
            } else {
                burst = longValue(node.get("burst"), path + ".burst", 1, MAX_LIMIT, limit);
            }
        }
        Set<String> models = new LinkedHashSet<>();
        JsonNode m = node.get("models");
        if (m != null) {
            if (!m.isArray() || m.isEmpty()) {
                error(path + ".models", "must be a non-empty list of model names");
            } else {
                for (int i = 0; i < m.size(); i++) {
                    String model = text(m.get(i), path + ".models[" + i + "]", null);
                    if (model != null) {
                        models.add(model);
                    }
                }
            }
        }
        if (errors.size() > before) {
            return null;
        }
        return new LimitRule(name, dims, header, unit, algorithm, limit, period, burst, models);
    }

    private PriceTable prices(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return PriceTable.empty();
        }
        if (!node.isObject()) {
            error(path, "must be an object");
            return PriceTable.empty();
        }
        known(node, path, "currency", "models");
        String currency = text(node.get("currency"), path + ".currency", "USD");
        if (currency != null && !currency.matches("[A-Z]{3}")) {
            error(path + ".currency", "must be an ISO 4217 code such as USD");
        }
        Map<String, PriceTable.Price> models = new LinkedHashMap<>();
        JsonNode ms = node.get("models");
        if (ms != null) {
            if (!ms.isObject()) {
                error(path + ".models", "must map model names to {input, output} prices per million tokens");
            } else {
                Iterator<Map.Entry<String, JsonNode>> it = ms.fields();
                while (it.hasNext()) {
                    Map.Entry<String, JsonNode> e = it.next();
                    String at = path + ".models." + e.getKey();
                    if (!e.getValue().isObject()) {
                        error(at, "must be {input, output}");
                        continue;
                    }
                    known(e.getValue(), at, "input", "output");
                    long in = money(e.getValue().get("input"), at + ".input");
                    long out = money(e.getValue().get("output"), at + ".output");
                    if (in >= 0 && out >= 0) {
                        models.put(e.getKey(), new PriceTable.Price(in, out));
                    }
                }
            }
        }
        return new PriceTable(currency == null ? "USD" : currency, models);
    }

    /** A price per million tokens in currency units, as micro-units; -1 after reporting an error. */
    private long money(JsonNode node, String path) {
        if (node == null || !(node.isNumber() || node.isTextual())) {
            error(path, "required: a price per million tokens, e.g. 2.50");
            return -1;
        }
        try {
            BigDecimal v = new BigDecimal(node.asText());
            if (v.signum() < 0 || v.compareTo(BigDecimal.valueOf(1_000_000)) > 0) {
                error(path, "must be between 0 and 1000000");
                return -1;
            }
            return v.movePointRight(6).setScale(0, java.math.RoundingMode.CEILING).longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            error(path, "not a number: " + node.asText());
            return -1;
        }
    }

    /** Tenant id to time zone; tenants not listed use {@code time-zone}. */
    private Map<String, ZoneId> tenantZones(JsonNode node, String path) {
        Map<String, ZoneId> zones = new LinkedHashMap<>();
        if (node == null) {
            return zones;
        }
        if (!node.isObject()) {
            error(path, "must map tenant ids to time zones, e.g. {acme: America/New_York}");
            return zones;
        }
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String at = path + "." + e.getKey();
            if (!e.getValue().isTextual()) {
                error(at, "must be a time zone name such as Europe/Berlin");
            } else {
                zones.put(e.getKey(), zone(e.getValue(), at));
            }
        }
        return zones;
    }

    private ZoneId zone(JsonNode node, String path) {
        if (node == null) {
            return ZoneId.of("UTC");
        }
        try {
            return ZoneId.of(node.asText());
        } catch (DateTimeException e) {
            error(path, "unknown time zone '" + node.asText() + "'");
            return ZoneId.of("UTC");
        }
    }

    private Duration duration(JsonNode node, String path, Duration fallback) {
        if (node == null) {
            return fallback;
        }
        Matcher m = DURATION.matcher(node.isTextual() ? node.asText() : "");
        if (!m.matches()) {
            error(path, "must be a duration such as 500ms, 1s, 1m, 1h or 1d");
            return fallback;
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
        if (d.isZero() || d.compareTo(Duration.ofDays(366)) > 0) {
            error(path, "must be between 1ms and 366d");
            return fallback;
        }
        return d;
    }

    private long longValue(JsonNode node, String path, long min, long max, long fallback) {
        if (node == null) {
            return fallback;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.asLong() < min || node.asLong() > max) {
            error(path, "must be a whole number from " + min + " to " + max);
            return fallback;
        }
        return node.asLong();
    }

    private String text(JsonNode node, String path, String fallback) {
        if (node == null) {
            return fallback;
        }
        if (!node.isTextual() || node.asText().isBlank()) {
            error(path, "must be a non-empty string");
            return fallback;
        }
        return node.asText();
    }

    private <E extends Enum<E>> E enumValue(JsonNode node, String path, Class<E> type, E fallback) {
        if (node == null) {
            return fallback;
        }
        String v = node.isTextual() ? node.asText().trim().toUpperCase(Locale.ROOT).replace('-', '_') : "";
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(v)) {
                return e;
            }
        }
        List<String> allowed = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            allowed.add(e.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        error(path, "must be one of " + String.join(", ", allowed));
        return fallback;
    }

    private void known(JsonNode node, String path, String... fields) {
        Set<String> allowed = Set.of(fields);
        Iterator<String> it = node.fieldNames();
        while (it.hasNext()) {
            String f = it.next();
            if (!allowed.contains(f)) {
                error(path + "." + f, "unknown field");
            }
        }
    }

    private void error(String path, String message) {
        errors.add(new ConfigError(path, message));
    }
}
