/**
 * The admin listener: health, readiness, Prometheus metrics, configuration reload, and the admin API that
 * features mount ({@link dev.portcullis.admin.AdminRoutes}). Callers authenticate with an admin user's bearer
 * token; roles decide what they may read and change. Errors are {@code application/problem+json} (RFC 9457).
 */
package dev.portcullis.admin;
