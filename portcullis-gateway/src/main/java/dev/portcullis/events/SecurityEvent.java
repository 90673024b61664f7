package dev.portcullis.events;

import java.time.Instant;
import java.util.Objects;

/**
 * One security event. Never holds a secret: ids and names only.
 *
 * @param at       when it happened
 * @param action   what was attempted, a stable dotted name such as {@code key.create} or {@code admin.authenticate}
 * @param actor    the admin user's configured name; null when the caller was not authenticated
 * @param role     the actor's role ({@code admin}, {@code auditor}, {@code tenant-admin}); null when unauthenticated
 * @param tenant   the tenant the action concerns; null for actions outside tenants
 * @param target   what the action acted on, as {@code kind:id} (e.g. {@code key:key-0a1b}); never a secret
 * @param outcome  how it ended
 * @param status   the HTTP status answered
 * @param reason   a short code saying why it was refused (e.g. {@code role}, {@code plan_not_allowed}); null if none
 * @param client   the caller's address; null when unknown
 */
public record SecurityEvent(
    Instant at,
    String action,
    String actor,
    String role,
    String tenant,
    String target,
    Outcome outcome,
    int status,
    String reason,
    String client) {

  public SecurityEvent {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(outcome, "outcome");
  }

  /** How an attempted action ended. */
  public enum Outcome {
    /** Done. */
    SUCCEEDED,
    /** No valid credential (401). */
    UNAUTHENTICATED,
    /** Authenticated, but not allowed (403). */
    DENIED,
    /** Refused as invalid or conflicting (other 4xx). */
    REJECTED,
    /** The server failed (5xx) or the caller went away before an answer. */
    FAILED;

    /** The outcome an HTTP status stands for. */
    public static Outcome ofStatus(int status) {
      if (status == 401) {
        return UNAUTHENTICATED;
      }
      if (status == 403) {
        return DENIED;
      }
      if (status >= 200 && status < 400) {
        return SUCCEEDED;
      }
      return status >= 400 && status < 500 ? REJECTED : FAILED;
    }
  }
}
