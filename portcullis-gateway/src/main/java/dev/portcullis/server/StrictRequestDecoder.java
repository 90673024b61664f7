package dev.portcullis.server;

import dev.portcullis.pipeline.ApiError;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AttributeKey;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.List;

/**
 * The HTTP/1.1 request decoder with the framing rules of RFC 9112 that Netty relaxes (ADR 0009): a request with both
 * {@code Content-Length} and {@code Transfer-Encoding} is refused (Netty drops the length and reads chunks, the
 * classic request-smuggling disagreement); a transfer coding other than a single {@code chunked} is refused (501,
 * or 400 when {@code chunked} is not the final coding, or on HTTP/1.0); an HTTP/1.1 request needs exactly one
 * {@code Host}. Refused heads reach {@link InvalidRequests}, which answers and closes. A malformed chunk in the
 * body (bad size, bad extension, bad terminator) ends the body early and is remembered on the connection, so the
 * handler answers 400 and closes instead of Vert.x dropping the connection without a word.
 *
 * <p>Installed in place of Vert.x's decoder when a connection opens ({@link #install}); it relies on Vert.x's
 * pipeline handler name and decoder class, checked by the transport tests on every upgrade.
 */
final class StrictRequestDecoder extends VertxHttpRequestDecoder {

  /** A request refused for its framing: the status, body and counted reason to answer with. */
  static final class Refusal extends RuntimeException {
    private final int status;
    private final transient ApiError error;
    private final String reason;

    Refusal(int status, String message, String reason) {
      super(message, null, false, false);
      this.status = status;
      this.error = ApiError.invalidRequest(message, null, reason);
      this.reason = reason;
    }

    int status() {
      return status;
    }

    ApiError error() {
      return error;
    }

    String reason() {
      return reason;
    }
  }

  private static final AttributeKey<Refusal> BROKEN_BODY = AttributeKey.valueOf("portcullis.broken-body");
  private static final String DECODER = "httpDecoder";

  private static final Refusal LENGTH_AND_CHUNKED = new Refusal(400, "The request has both Content-Length and "
      + "Transfer-Encoding.", "length_and_chunked");
  private static final Refusal UNSUPPORTED_CODING = new Refusal(501, "The only transfer coding accepted is "
      + "'chunked'.", "unsupported_transfer_coding");
  private static final Refusal CHUNKED_NOT_LAST = new Refusal(400, "A request's transfer coding must end with "
      + "'chunked'.", "bad_transfer_coding");
  private static final Refusal HTTP10_CODING = new Refusal(400, "Transfer-Encoding is not allowed on HTTP/1.0.",
      "bad_transfer_coding");
  private static final Refusal HOST = new Refusal(400, "An HTTP/1.1 request needs exactly one Host header.",
      "bad_host");
  private static final Refusal BAD_CHUNK = new Refusal(400, "The request body's chunked framing is malformed.",
      "bad_chunk");

  private StrictRequestDecoder(HttpServerOptions options) {
    super(options);
  }

  /**
   * Puts this decoder in place of Vert.x's on a new HTTP/1.x connection; HTTP/2 connections are left alone. On a
   * plain listener with h2c, Vert.x announces the connection only once its first request is decoded, when the decoder
   * can no longer be swapped: such listeners keep Vert.x's decoder (ADR 0009; {@code h2c} is off by default).
   */
  static void install(HttpConnection connection, HttpServerOptions options) {
    if (options.isHttp2ClearTextEnabled() && !options.isSsl()) {
      return;
    }
    if (connection instanceof ConnectionBase base) {
      ChannelPipeline pipeline = base.channelHandlerContext().pipeline();
      if (pipeline.get(DECODER) instanceof VertxHttpRequestDecoder current
          && !(current instanceof StrictRequestDecoder)) {
        pipeline.replace(DECODER, DECODER, new StrictRequestDecoder(options));
      }
    }
  }

  /** The refusal for a body whose chunked framing broke on this request's connection, or null. */
  static Refusal brokenBody(HttpServerRequest request) {
    return request.connection() instanceof ConnectionBase base ? base.channel().attr(BROKEN_BODY).get() : null;
  }

  /**
   * The last hook Netty calls with the whole header block before it chooses how to read the body: the framing
   * headers are checked here, and a refusal becomes an invalid request.
   */
  @Override
  protected boolean isContentAlwaysEmpty(HttpMessage message) {
    if (message instanceof HttpRequest) {
      HttpHeaders headers = message.headers();
      if (message.protocolVersion() == HttpVersion.HTTP_1_1 && headers.getAll(HttpHeaderNames.HOST).size() != 1) {
        throw HOST;
      }
      List<String> codings = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
      if (!codings.isEmpty()) {
        if (headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
          throw LENGTH_AND_CHUNKED;
        }
        checkCodings(codings, message.protocolVersion());
      }
    }
    return super.isContentAlwaysEmpty(message);
  }

  private static void checkCodings(List<String> lines, HttpVersion version) {
    if (version != HttpVersion.HTTP_1_1) {
      throw HTTP10_CODING;
    }
    String[] codings = String.join(",", lines).split(",", -1);
    String last = codings[codings.length - 1].trim();
    if (!last.equalsIgnoreCase("chunked")) {
      throw codings.length == 1 && !last.isEmpty() ? UNSUPPORTED_CODING : CHUNKED_NOT_LAST;
    }
    if (codings.length > 1) {
      // gzip, chunked and the like: a coding the gateway does not decode (chunked twice is malformed)
      for (int i = 0; i < codings.length - 1; i++) {
        if (codings[i].trim().equalsIgnoreCase("chunked") || codings[i].isBlank()) {
          throw CHUNKED_NOT_LAST;
        }
      }
      throw UNSUPPORTED_CODING;
    }
  }

  /** Turns a malformed chunk into an early end of the body, remembered on the channel for the handler. */
  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
    int before = out.size();
    super.decode(ctx, buffer, out);
    for (int i = before; i < out.size(); i++) {
      // an invalid head is a full message (HttpContent too): that one goes to InvalidRequests as it is
      if (out.get(i) instanceof HttpContent content && !(content instanceof HttpMessage)
          && !content.decoderResult().isSuccess()) {
        content.release();
        ctx.channel().attr(BROKEN_BODY).set(BAD_CHUNK);
        out.set(i, LastHttpContent.EMPTY_LAST_CONTENT);
      }
    }
  }
}
