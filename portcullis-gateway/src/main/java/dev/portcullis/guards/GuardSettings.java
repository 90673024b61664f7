package dev.portcullis.guards;

import dev.portcullis.guard.FailurePolicy;
import dev.portcullis.guard.action.ActionPolicy;
import dev.portcullis.guard.injection.InjectionProfile;
import dev.portcullis.guard.payload.UnknownFields;
import java.util.Map;

/**
 * The {@code guards} section: named profiles, which profile a plan uses, the default region for phone numbers
 * (national numbers, written without a country code, are read as numbers of that region) and tenants' own regions,
 * and the key behind stable per-tenant hash pseudonyms.
 *
 * @param hashKey secret behind the {@code hash} action (per-tenant keys are derived from it); null when no profile
 *                hashes
 */
public record GuardSettings(String region, String hashKey, Map<String, Profile> profiles, String defaultProfile,
    Map<String, String> planProfiles, Map<String, String> tenantRegions, Map<String, String> tokenEncodings) {

  public GuardSettings {
    profiles = Map.copyOf(profiles);
    planProfiles = Map.copyOf(planProfiles);
    tenantRegions = Map.copyOf(tenantRegions);
    tokenEncodings = Map.copyOf(tokenEncodings);
  }

  /** The phone region for a tenant's traffic: its own, else the default. */
  public String regionFor(String tenant) {
    return tenant == null ? region : tenantRegions.getOrDefault(tenant, region);
  }

  /** The profile for a plan: its own, else the default. */
  public Profile profileFor(String plan) {
    String name = plan == null ? null : planProfiles.get(plan);
    return profiles.get(name != null ? name : defaultProfile);
  }

  @Override
  public String toString() {
    return "GuardSettings[region=" + region + ", tenantRegions=" + tenantRegions + ", hashKey=" + (hashKey == null ? "unset" : "***") + ", profiles="
        + profiles.keySet() + ", defaultProfile=" + defaultProfile + ", planProfiles=" + planProfiles + "]";
  }

  /** What to do with a canary or system-prompt leak in the output. */
  public enum CanaryMode {
    OFF, REDACT, BLOCK
  }

  /**
   * One profile. A null policy or injection profile means that check is off.
   *
   * @param input       actions on PII and secrets in requests
   * @param output      actions on PII and secrets in responses
   * @param outputShadow report output findings without changing the response
   * @param canaryShadow report canary and system-prompt leaks without changing or ending the response
   * @param unknownOutputFields what output guards do with answer fields the API does not define: inspect them
   *                            (default) or drop them
   */
  public record Profile(
      String name,
      ActionPolicy input,
      boolean inputShadow,
      FailurePolicy inputFailure,
      InjectionProfile injection,
      FailurePolicy injectionFailure,
      ActionPolicy output,
      boolean outputShadow,
      FailurePolicy outputFailure,
      CanaryMode canary,
      boolean canaryShadow,
      FailurePolicy canaryFailure,
      UnknownFields unknownOutputFields) {}
}
