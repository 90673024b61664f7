package dev.portcullis.identity;

import java.net.InetAddress;

/**
 * What the identify stage knows about a request.
 *
 * @param authorization  the {@code Authorization} header, or {@code null}
 * @param apiKeyHeader   the {@code x-api-key} header (Anthropic-style clients), or {@code null}
 * @param method         HTTP method
 * @param rawPath        path as received, not decoded
 * @param rawQuery       query as received without '?', or {@code null}
 * @param bodySha256Hex  hex SHA-256 of the body; needed only for HMAC-signed requests
 *                       ({@link Identifier#needsBodyHash(String)}), else {@code null}
 * @param client         the client's address (after trusted-proxy handling), for CIDR pinning
 * @param clientCertificate the client certificate verified by mutual TLS, or {@code null}
 */
public record CredentialRequest(
    String authorization,
    String apiKeyHeader,
    String method,
    String rawPath,
    String rawQuery,
    String bodySha256Hex,
    InetAddress client,
    java.security.cert.X509Certificate clientCertificate) {

  public CredentialRequest(String authorization, String apiKeyHeader, String method, String rawPath,
      String rawQuery, String bodySha256Hex, InetAddress client) {
    this(authorization, apiKeyHeader, method, rawPath, rawQuery, bodySha256Hex, client, null);
  }
}
