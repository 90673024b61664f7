/**
 * Actions on findings as values ({@link dev.portcullis.guard.action.Action}): allow, block, redact, mask, per-tenant
 * HMAC hash and reversible pseudonymisation with a per-request {@link dev.portcullis.guard.action.PseudonymVault}.
 */
package dev.portcullis.guard.action;
