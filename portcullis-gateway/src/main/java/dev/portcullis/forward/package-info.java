/**
 * Forwarding to upstreams: which headers cross the gateway, SSE framing, usage extraction from whole and streamed
 * responses, and upstream HTTP clients.
 */
package dev.portcullis.forward;
