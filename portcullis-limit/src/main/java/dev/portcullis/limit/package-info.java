/**
 * Limits and quotas for the gateway's limit stage: {@link dev.portcullis.limit.LimitEngine} decides a
 * request against every applicable rule in one atomic store call and returns a {@link
 * dev.portcullis.limit.LimitDecision} carrying the 429 / rate-limit headers.
 */
package dev.portcullis.limit;
