package dev.portcullis.guards;

import com.fasterxml.jackson.databind.JsonNode;
import com.knuddels.jtokkit.api.EncodingType;
import dev.portcullis.config.ConfigNodes;
import dev.portcullis.config.ConfigSection;
import dev.portcullis.guard.FailurePolicy;
import dev.portcullis.guard.action.Action;
import dev.portcullis.guard.action.ActionPolicy;
import dev.portcullis.guard.detect.FindingType;
import dev.portcullis.guard.injection.InjectionProfile;
import dev.portcullis.guard.payload.UnknownFields;
import dev.portcullis.guards.GuardSettings.CanaryMode;
import dev.portcullis.guards.GuardSettings.Profile;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Parses the {@code guards} section. Absent means no guards.
 *
 * <pre>
 * guards:
 *   region: US                          # default region of phone numbers
 *   tenant-regions: {acme: DE}          # a tenant's own default region (national numbers in its traffic)
 *   hash-key: ${env:GUARD_HASH_KEY}     # needed when a profile uses the hash action (16+ bytes)
 *   default-profile: standard
 *   plans: {free: strict}               # a plan's profile; others use the default
 *   token-encodings: {my-gpt4o: o200k_base}  # how to read token-id prompts of models JTokkit does not name
 *   profiles:
 *     standard:
 *       input:                          # PII and secrets in requests
 *         action: redact                # allow | block | redact | mask | hash | pseudonymise
 *         types: {credit-card: block, email: pseudonymise, aws-access-key: block}
 *         min-confidence: 0.5
 *         shadow: false                 # log only
 *         on-failure: fail-closed       # or fail-open
 *       injection: {profile: balanced, shadow: false, on-failure: fail-closed}
 *       output: {action: redact, shadow: false, on-failure: fail-closed}   # PII and secrets in responses
 *       canary: block                   # off | redact | block, or {mode: block, shadow: false, on-failure: …}
 *       unknown-output-fields: inspect  # answer fields the API does not define: inspect (default) | drop
 * </pre>
 */
public final class GuardsSection implements ConfigSection<GuardSettings> {

  public static final GuardsSection INSTANCE = new GuardsSection();

  private GuardsSection() {}

  @Override
  public String key() {
    return "guards";
  }

  @Override
  public boolean reloadable() {
    return true;
  }

  @Override
  public GuardSettings parse(JsonNode node, Context context, List<String> problems) {
    if (node.isMissingNode() || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      problems.add("guards: must be a mapping");
      return null;
    }
    known(node, "guards", problems, "region", "tenant-regions", "hash-key", "default-profile", "plans",
        "profiles", "token-encodings");
    String region = region(node.path("region").asText("US"), "guards.region", problems);
    Map<String, String> tenantRegions = new HashMap<>();
    JsonNode tenants = node.path("tenant-regions");
    if (!tenants.isMissingNode() && !tenants.isObject()) {
      problems.add("guards.tenant-regions: must map tenant ids to region codes, e.g. {acme: DE}");
    }
    tenants.fields().forEachRemaining(e -> tenantRegions.put(e.getKey(),
        region(e.getValue().asText(), "guards.tenant-regions." + e.getKey(), problems)));
    String hashKey = node.hasNonNull("hash-key")
        ? context.resolve(node.get("hash-key").asText(), "guards.hash-key", problems) : null;
    if (hashKey != null && hashKey.getBytes(StandardCharsets.UTF_8).length < 16) {
      problems.add("guards.hash-key: must be at least 16 bytes");
    }
    Map<String, Profile> profiles = new LinkedHashMap<>();
    JsonNode list = node.path("profiles");
    if (!list.isObject() || list.isEmpty()) {
      problems.add("guards.profiles: must name at least one profile");
    } else {
      for (Iterator<Map.Entry<String, JsonNode>> it = list.fields(); it.hasNext(); ) {
        var e = it.next();
        Profile p = profile(e.getKey(), e.getValue(), "guards.profiles." + e.getKey(), problems);
        if (p != null) {
          profiles.put(e.getKey(), p);
        }
      }
    }
    String defaultProfile = node.path("default-profile").asText(profiles.size() == 1
        ? profiles.keySet().iterator().next() : null);
    if (defaultProfile == null) {
      problems.add("guards.default-profile: required when there are several profiles");
    } else if (!profiles.isEmpty() && !profiles.containsKey(defaultProfile)) {
      problems.add("guards.default-profile: no profile named '" + defaultProfile + "'");
    }
    Map<String, String> plans = new HashMap<>();
    node.path("plans").fields().forEachRemaining(e -> {
      if (!profiles.containsKey(e.getValue().asText())) {
        problems.add("guards.plans." + e.getKey() + ": no profile named '" + e.getValue().asText() + "'");
      }
      plans.put(e.getKey(), e.getValue().asText());
    });
    boolean hashes = profiles.values().stream().anyMatch(p -> uses(p.input(), Action.Hash.class)
        || uses(p.output(), Action.Hash.class));
    if (hashes && hashKey == null) {
      problems.add("guards.hash-key: required because a profile uses the hash action");
    }
    Map<String, String> tokenEncodings = new HashMap<>();
    JsonNode encodings = node.path("token-encodings");
    if (!encodings.isMissingNode() && !encodings.isObject()) {
      problems.add("guards.token-encodings: must map model names to encodings, e.g. {my-gpt4o: o200k_base}");
    }
    encodings.fields().forEachRemaining(e -> {
      if (EncodingType.fromName(e.getValue().asText()).isEmpty()) {
        problems.add("guards.token-encodings." + e.getKey() + ": unknown encoding '" + e.getValue().asText()
            + "' (cl100k_base, o200k_base, p50k_base, p50k_edit or r50k_base)");
      } else {
        tokenEncodings.put(e.getKey(), e.getValue().asText());
      }
    });
    return new GuardSettings(region, hashKey, profiles, defaultProfile, plans, tenantRegions, tokenEncodings);
  }

  /** A region of libphonenumber's metadata, upper case; the problem names {@code path}. */
  private static String region(String text, String path, List<String> problems) {
    String region = text.toUpperCase(Locale.ROOT);
    if (!region.matches("[A-Z]{2}")
        || !com.google.i18n.phonenumbers.PhoneNumberUtil.getInstance().getSupportedRegions().contains(region)) {
      problems.add(path + ": must be a two-letter region code such as US or GB, found '" + text + "'");
      return "US";
    }
    return region;
  }

  private static boolean uses(ActionPolicy policy, Class<? extends Action> type) {
    return policy != null && (type.isInstance(policy.defaultAction())
        || policy.perType().values().stream().anyMatch(type::isInstance));
  }

  private Profile profile(String name, JsonNode node, String path, List<String> problems) {
    if (!node.isObject()) {
      problems.add(path + ": must be a mapping");
      return null;
    }
    known(node, path, problems, "input", "injection", "output", "canary", "unknown-output-fields");
    ActionPolicy input = node.has("input") ? policy(node.get("input"), path + ".input", problems, true) : null;
    boolean shadow = node.path("input").path("shadow").asBoolean(false);
    FailurePolicy inputFailure = failure(node.path("input").get("on-failure"), path + ".input.on-failure", problems);
    InjectionProfile injection = null;
    FailurePolicy injectionFailure = FailurePolicy.FAIL_CLOSED;
    JsonNode inj = node.path("injection");
    if (!inj.isMissingNode()) {
      known(inj, path + ".injection", problems, "profile", "shadow", "on-failure");
      String profileName = inj.path("profile").asText("balanced");
      try {
        injection = InjectionProfile.named(profileName);
        if (inj.path("shadow").asBoolean(false)) {
          injection = injection.asShadow();
        }
      } catch (IllegalArgumentException e) {
        problems.add(path + ".injection.profile: '" + profileName + "' is not one of strict, balanced, permissive");
      }
      injectionFailure = failure(inj.get("on-failure"), path + ".injection.on-failure", problems);
    }
    ActionPolicy output = node.has("output") ? policy(node.get("output"), path + ".output", problems, false) : null;
    boolean outputShadow = node.path("output").path("shadow").asBoolean(false);
    FailurePolicy outputFailure = failure(node.path("output").get("on-failure"), path + ".output.on-failure",
        problems);
    CanaryMode canary = CanaryMode.OFF;
    boolean canaryShadow = false;
    FailurePolicy canaryFailure = FailurePolicy.FAIL_CLOSED;
    JsonNode c = node.path("canary");
    if (c.isObject()) {
      known(c, path + ".canary", problems, "mode", "shadow", "on-failure");
      canaryShadow = c.path("shadow").asBoolean(false);
      canaryFailure = failure(c.get("on-failure"), path + ".canary.on-failure", problems);
      c = c.path("mode");
      if (c.isMissingNode()) {
        problems.add(path + ".canary.mode: missing (off, redact or block)");
      }
    }
    if (c.isValueNode()) {
      try {
        canary = CanaryMode.valueOf(c.asText().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        problems.add(path + ".canary: must be off, redact or block");
      }
    } else if (!c.isMissingNode()) {
      problems.add(path + ".canary: must be off, redact, block or a mapping with a mode");
    }
    UnknownFields unknown = UnknownFields.INSPECT;
    JsonNode u = node.get("unknown-output-fields");
    if (u != null) {
      try {
        unknown = UnknownFields.valueOf(u.isTextual() ? u.asText().toUpperCase(Locale.ROOT) : "");
      } catch (IllegalArgumentException e) {
        problems.add(path + ".unknown-output-fields: must be inspect or drop");
      }
    }
    return new Profile(name, input, shadow, inputFailure, injection, injectionFailure, output, outputShadow,
        outputFailure, canary, canaryShadow, canaryFailure, unknown);
  }

  private ActionPolicy policy(JsonNode node, String path, List<String> problems, boolean input) {
    if (!node.isObject()) {
      problems.add(path + ": must be a mapping");
      return null;
    }
    known(node, path, problems, Set.of("action", "types", "min-confidence", "shadow", "on-failure"));
    Action defaultAction = action(node.path("action").asText("redact"), path + ".action", problems);
    ActionPolicy policy = ActionPolicy.uniform(defaultAction == null ? new Action.Redact() : defaultAction);
    for (Iterator<Map.Entry<String, JsonNode>> it = node.path("types").fields(); it.hasNext(); ) {
      var e = it.next();
      FindingType type = type(e.getKey());
      if (type == null) {
        problems.add(path + ".types." + e.getKey() + ": unknown type; known types are " + typeNames());
        continue;
      }
      Action action = action(e.getValue().asText(), path + ".types." + e.getKey(), problems);
      if (action != null) {
        if (!input && action instanceof Action.Pseudonymise) {
          problems.add(path + ".types." + e.getKey() + ": pseudonymise applies to requests only");
        }
        policy = policy.with(type, action);
      }
    }
    if (!input && policy.defaultAction() instanceof Action.Pseudonymise) {
      problems.add(path + ".action: pseudonymise applies to requests only");
    }
    double confidence = node.path("min-confidence").asDouble(policy.minConfidence());
    if (confidence < 0 || confidence > 1) {
      problems.add(path + ".min-confidence: must be between 0 and 1");
      confidence = policy.minConfidence();
    }
    return new ActionPolicy(policy.perType(), policy.defaultAction(), confidence);
  }

  private static Action action(String text, String path, List<String> problems) {
    try {
      return Action.parse(text);
    } catch (IllegalArgumentException e) {
      problems.add(path + ": '" + text + "' is not an action; use allow, block, redact, mask, hash or pseudonymise");
      return null;
    }
  }

  static FindingType type(String name) {
    try {
      return FindingType.valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static String typeNames() {
    StringBuilder sb = new StringBuilder();
    for (FindingType t : FindingType.values()) {
      sb.append(sb.isEmpty() ? "" : ", ").append(t.name().toLowerCase(Locale.ROOT).replace('_', '-'));
    }
    return sb.toString();
  }

  private static FailurePolicy failure(JsonNode node, String path, List<String> problems) {
    if (node == null || node.isNull()) {
      return FailurePolicy.FAIL_CLOSED;
    }
    try {
      return FailurePolicy.valueOf(node.asText().toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      problems.add(path + ": must be fail-closed or fail-open");
      return FailurePolicy.FAIL_CLOSED;
    }
  }

  private static void known(JsonNode node, String path, List<String> problems, String... keys) {
    ConfigNodes.knownKeys(node, path, problems, keys);
  }

  private static void known(JsonNode node, String path, List<String> problems, Set<String> keys) {
    ConfigNodes.knownKeysSorted(node, path, problems, keys);
  }
}
