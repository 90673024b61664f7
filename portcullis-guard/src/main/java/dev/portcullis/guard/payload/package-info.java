/**
 * Where guards apply: the text fields of OpenAI-compatible requests, whole responses and streamed completion chunks
 * (Jackson trees), rewritten in place through guard functions and stream filters.
 */
package dev.portcullis.guard.payload;
