package dev.portcullis.server;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;

/** Headers set on every response, before anything else; upstream copies of them are dropped. */
final class SecurityHeaders {

  static final CharSequence REQUEST_ID = HttpHeaders.createOptimized("x-request-id");
  private static final CharSequence HSTS = HttpHeaders.createOptimized("strict-transport-security");
  private static final CharSequence NOSNIFF_NAME = HttpHeaders.createOptimized("x-content-type-options");
  private static final CharSequence NOSNIFF = HttpHeaders.createOptimized("nosniff");
  private static final CharSequence FRAME_NAME = HttpHeaders.createOptimized("x-frame-options");
  private static final CharSequence DENY = HttpHeaders.createOptimized("DENY");
  private static final CharSequence REFERRER_NAME = HttpHeaders.createOptimized("referrer-policy");
  private static final CharSequence NO_REFERRER = HttpHeaders.createOptimized("no-referrer");
  private static final CharSequence CSP_NAME = HttpHeaders.createOptimized("content-security-policy");
  private static final CharSequence CSP = HttpHeaders.createOptimized("default-src 'none'; frame-ancestors 'none'");
  private static final CharSequence CACHE_NAME = HttpHeaders.createOptimized("cache-control");
  private static final CharSequence NO_STORE = HttpHeaders.createOptimized("no-store");

  private SecurityHeaders() {}

  /**
   * HSTS is sent on every response as configured (browsers ignore it over plain HTTP, per RFC 6797 §8.1); an empty
   * value turns it off.
   */
  static void apply(MultiMap headers, CharSequence hsts, String requestId) {
    headers.set(REQUEST_ID, requestId);
    if (hsts != null) {
      headers.set(HSTS, hsts);
    }
    headers.set(NOSNIFF_NAME, NOSNIFF);
    headers.set(FRAME_NAME, DENY);
    headers.set(REFERRER_NAME, NO_REFERRER);
    headers.set(CSP_NAME, CSP);
    headers.set(CACHE_NAME, NO_STORE);
  }
}
