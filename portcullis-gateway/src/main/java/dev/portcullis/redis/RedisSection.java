package dev.portcullis.redis;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.config.ConfigNodes;
import dev.portcullis.config.ConfigSection;
import io.lettuce.core.RedisURI;
import java.util.List;

/**
 * The {@code redis} section: {@code redis: {url: "redis://:${env:REDIS_PASSWORD}@10.0.0.5:6379", prefix: "pc:"}}.
 * Absent means one instance with in-process state.
 */
public final class RedisSection implements ConfigSection<RedisSettings> {

  public static final RedisSection INSTANCE = new RedisSection();

  private RedisSection() {}

  @Override
  public String key() {
    return "redis";
  }

  @Override
  public RedisSettings parse(JsonNode node, Context context, List<String> problems) {
    if (node.isMissingNode() || node.isNull()) {
      return RedisSettings.NONE;
    }
    if (!node.isObject()) {
      problems.add("redis: must be a mapping with a url");
      return RedisSettings.NONE;
    }
    ConfigNodes.knownKeys(node, "redis", problems, "url", "prefix", "command-timeout");
    String url = node.hasNonNull("url") ? context.resolve(node.get("url").asText(), "redis.url", problems) : null;
    if (url == null) {
      problems.add("redis.url: missing (e.g. redis://127.0.0.1:6379)");
      return RedisSettings.NONE;
    }
    try {
      RedisURI.create(url);
    } catch (IllegalArgumentException e) {
      problems.add("redis.url: not a Redis URL (redis://, rediss:// or redis-sentinel://)");
    }
    String prefix = node.path("prefix").asText("portcullis:");
    if (!prefix.matches("[A-Za-z0-9:._-]{1,32}")) {
      problems.add("redis.prefix: must be 1-32 of A-Z a-z 0-9 : . _ -");
    }
    java.time.Duration timeout = java.time.Duration.ofSeconds(1);
    if (node.has("command-timeout")) {
      timeout = dev.portcullis.config.Durations.parse(node.get("command-timeout").asText());
      if (timeout == null || timeout.isZero() || timeout.compareTo(java.time.Duration.ofSeconds(30)) > 0) {
        problems.add("redis.command-timeout: must be a duration from 1ms to 30s, e.g. 500ms or 2s");
        timeout = java.time.Duration.ofSeconds(1);
      }
    }
    return new RedisSettings(true, url, prefix, timeout);
  }
}
