/**
 * Identity in the gateway: the {@code identity} configuration section, the identify stage that turns a request's
 * credential into a {@link dev.portcullis.identity.Principal}, and the admin API for tenants, principals and keys.
 * The credential logic itself lives in {@code portcullis-identity}.
 */
package dev.portcullis.auth;
