/**
 * Limits in the gateway: the {@code limits} configuration section, the limit stage (plan checks, token
 * reservations, rate-limit headers, settlement when the exchange ends) and the stream filter that enforces the
 * token quota mid-stream. The algorithms and stores live in {@code portcullis-limit}.
 */
package dev.portcullis.limits;
