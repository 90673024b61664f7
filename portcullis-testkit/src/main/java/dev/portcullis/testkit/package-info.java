/**
 * A simulated OpenAI-compatible upstream: deterministic replies, streaming at a configurable token rate, usage
 * reporting and error injection. Used by demo mode, by every module's tests and by the benchmarks.
 */
package dev.portcullis.testkit;
