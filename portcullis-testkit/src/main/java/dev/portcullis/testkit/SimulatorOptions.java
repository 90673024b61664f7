package dev.portcullis.testkit;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Settings of a {@link SimulatedUpstream}.
 *
 * @param host             address to bind
 * @param port             port to bind; 0 picks a free one
 * @param models           model ids served; a request for {@code sim-error-NNN} always answers status NNN
 * @param tokensPerSecond  streaming rate; 0 sends every token at once
 * @param firstTokenDelay  pause before the first streamed token (and before a non-streamed reply)
 * @param replyTokens      reply length when the request sets no {@code max_tokens}
 * @param pacer            decides when each streamed event may go; overrides the rate when set
 * @param shaper           rewrites answers before they are sent; null sends them as generated
 */
public record SimulatorOptions(
    String host,
    int port,
    List<String> models,
    double tokensPerSecond,
    Duration firstTokenDelay,
    int replyTokens,
    StreamPacer pacer,
    AnswerShaper shaper) {

  public static final List<String> DEFAULT_MODELS = List.of("sim-small", "sim-large", "sim-embed");

  public SimulatorOptions {
    Objects.requireNonNull(host, "host");
    models = List.copyOf(models);
    Objects.requireNonNull(firstTokenDelay, "firstTokenDelay");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in 0..65535, was " + port);
    }
    if (tokensPerSecond < 0) {
      throw new IllegalArgumentException("tokensPerSecond must be >= 0, was " + tokensPerSecond);
    }
    if (replyTokens < 1) {
      throw new IllegalArgumentException("replyTokens must be >= 1, was " + replyTokens);
    }
  }

  public SimulatorOptions(String host, int port, List<String> models, double tokensPerSecond,
      Duration firstTokenDelay, int replyTokens, StreamPacer pacer) {
    this(host, port, models, tokensPerSecond, firstTokenDelay, replyTokens, pacer, null);
  }

  /** Loopback, a free port, the default models, all tokens at once, no delay, 16-token replies. */
  public static SimulatorOptions defaults() {
    return new SimulatorOptions("127.0.0.1", 0, DEFAULT_MODELS, 0, Duration.ZERO, 16, null, null);
  }

  public SimulatorOptions withShaper(AnswerShaper shaper) {
    return new SimulatorOptions(host, port, models, tokensPerSecond, firstTokenDelay, replyTokens, pacer, shaper);
  }

  public SimulatorOptions withPort(int port) {
    return new SimulatorOptions(host, port, models, tokensPerSecond, firstTokenDelay, replyTokens, pacer, shaper);
  }

  public SimulatorOptions withRate(double tokensPerSecond, Duration firstTokenDelay) {
    return new SimulatorOptions(host, port, models, tokensPerSecond, firstTokenDelay, replyTokens, pacer, shaper);
  }

  public SimulatorOptions withReplyTokens(int replyTokens) {
    return new SimulatorOptions(host, port, models, tokensPerSecond, firstTokenDelay, replyTokens, pacer, shaper);
  }

  public SimulatorOptions withModels(List<String> models) {
    return new SimulatorOptions(host, port, models, tokensPerSecond, firstTokenDelay, replyTokens, pacer, shaper);
  }

  public SimulatorOptions withPacer(StreamPacer pacer) {
    return new SimulatorOptions(host, port, models, tokensPerSecond, firstTokenDelay, replyTokens, pacer, shaper);
  }
}
