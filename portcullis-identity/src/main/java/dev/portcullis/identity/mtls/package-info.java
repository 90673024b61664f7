/**
 * Mutual-TLS identity: a client certificate, already verified by the TLS layer against the listener's CAs, maps
 * by subject or subject alternative name to a registered principal.
 */
package dev.portcullis.identity.mtls;
