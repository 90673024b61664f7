/**
 * Where guards apply: the text fields of OpenAI-compatible requests, whole responses, streamed completion chunks
 * and Responses API stream events (Jackson trees), rewritten in place through guard functions and stream filters.
 */
package dev.portcullis.guard.payload;
