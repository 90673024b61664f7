/**
 * Stream filters over text deltas whose concatenated output equals the filter applied to the whole text, with a
 * bounded hold-back: PII/secret redaction and pseudonym restoration.
 */
package dev.portcullis.guard.stream;
