/**
 * Identity: turns a presented credential (API key, JWT bearer token, HMAC-signed request) into one
 * immutable {@link dev.portcullis.identity.Principal}, or into a {@link dev.portcullis.identity.AuthResult.Rejected}
 * carrying a {@link dev.portcullis.identity.FailureReason} code. Results are values; the credential itself never
 * appears in a result, a log line or a metric label.
 */
package dev.portcullis.identity;
