package dev.portcullis.pipeline;

/**
 * How an exchange ended, given to {@link Exchange#onComplete} listeners exactly once, after the last byte was
 * written or the client went away.
 *
 * @param status        the HTTP status sent (for an aborted stream, the 200 already sent)
 * @param forwarded     true when the request reached an upstream
 * @param upstreamStatus the status the upstream answered with, or 0 when it sent no answer
 * @param inputTokens   tokens the upstream reported for the prompt, or -1 when unknown
 * @param outputTokens  tokens the upstream reported for the completion, or -1 when unknown
 * @param outcome       {@code complete}, {@code rejected}, {@code client_closed}, {@code upstream_error},
 *                      {@code blocked} …
 */
public record Completion(int status, boolean forwarded, int upstreamStatus, long inputTokens, long outputTokens,
    String outcome) {

  /** True when the upstream answered with an error status (4xx or 5xx). */
  public boolean upstreamRefused() {
    return upstreamStatus >= 400;
  }
}
