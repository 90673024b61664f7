/**
 * Upstream protection: an adaptive concurrency limit with priority tiers and a bounded waiting line,
 * handing out permits that end in exactly one outcome.
 */
package dev.portcullis.limit.concurrency;
