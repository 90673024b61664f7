/**
 * Canary tokens and system-prompt leak detection: per-request random canaries found in output on a normalised,
 * separator-free view (spaced, zero-width, fullwidth, look-alike, ROT13, reversed, hex, halves) or in base64, also on
 * streams, and word n-gram overlap with the system prompt.
 */
package dev.portcullis.guard.canary;
