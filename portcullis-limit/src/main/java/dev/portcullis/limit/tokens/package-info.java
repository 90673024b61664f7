/**
 * LLM token estimation before the call (JTokkit), usage extraction after it, and the mid-stream quota
 * check that ends or lets finish a stream that outgrows the caller's quota.
 */
package dev.portcullis.limit.tokens;
