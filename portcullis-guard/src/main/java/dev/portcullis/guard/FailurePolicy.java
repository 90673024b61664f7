package dev.portcullis.guard;

/** What a guard does when it fails unexpectedly (a bug or broken resource, not a detection). */
public enum FailurePolicy {
  /** Reject the request or end the response. The default. */
  FAIL_CLOSED,
  /** Let the text through unchanged; the failure is still reported as an event and counted. */
  FAIL_OPEN
}
