/**
 * The HTTP side: public listeners (TLS, mutual TLS, HTTP/1.1 and HTTP/2, caps, security headers), the request
 * handler that drives the pipeline and forwards, the admin listener, and the gateway's lifecycle.
 */
package dev.portcullis.server;
