package dev.portcullis.redis;

/**
 * Where the shared Redis is, or {@code enabled == false} when instances share nothing (a single instance).
 *
 * @param url    {@code redis://}, {@code rediss://} (TLS) or {@code redis-sentinel://} URL
 * @param prefix prefix of every key and channel, so several deployments can share one Redis
 * @param commandTimeout how long a command may take before the caller treats Redis as failed (limits then fall
 *                       back to per-instance shares until Redis answers again)
 */
public record RedisSettings(boolean enabled, String url, String prefix, java.time.Duration commandTimeout) {

  static final RedisSettings NONE = new RedisSettings(false, null, "portcullis:", java.time.Duration.ofSeconds(1));

  @Override
  public String toString() {
    // the URL may carry a password
    return enabled ? "RedisSettings[url=" + url.replaceAll("//[^@/]*@", "//***@") + ", prefix=" + prefix + "]"
        : "RedisSettings[off]";
  }
}
