/**
 * Guards in the gateway: the {@code guards} configuration section, the inspect-input stage (PII and secrets,
 * prompt injection, canary insertion) and the output filter (redaction, pseudonym restoration and canary leaks, on
 * whole and streamed responses). Detection lives in {@code portcullis-guard}.
 */
package dev.portcullis.guards;
