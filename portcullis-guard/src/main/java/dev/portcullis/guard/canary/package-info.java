/**
 * Canary tokens and system-prompt leak detection: per-request random canaries found in output raw, reversed, hex
 * or base64 (also on streams), and word n-gram overlap with the system prompt.
 */
package dev.portcullis.guard.canary;
