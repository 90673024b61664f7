/**
 * Guards for the gateway's inspect-input and inspect-output stages: {@link dev.portcullis.guard.PiiGuard},
 * {@link dev.portcullis.guard.InjectionGuard} and {@link dev.portcullis.guard.CanaryGuard}, their
 * {@link dev.portcullis.guard.GuardOutcome} values, failure policy, and {@link dev.portcullis.guard.SecurityEvent}s.
 */
package dev.portcullis.guard;
