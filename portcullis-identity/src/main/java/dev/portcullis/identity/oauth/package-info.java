/**
 * Core of the built-in OAuth 2.0 authorization server for machine clients (RFC 6749 §4.4 client
 * credentials): rotating ES256 signing keys and their JWKS, token issuance with a scope-subset check,
 * hashed client secrets, revocation (RFC 7009) and introspection (RFC 7662). HTTP endpoints are the
 * gateway's; this package holds the decisions.
 */
package dev.portcullis.identity.oauth;
