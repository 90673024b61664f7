package dev.portcullis.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersEncoder;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * HTTP/2 with prior knowledge over a plain socket, writing frames byte by byte, for requests that client libraries
 * refuse to send (header values with CR, LF or NUL). One request per connection; answers with the response status,
 * or a negative number when the server reset the stream (-error code - 1) or closed the connection (-1000).
 */
final class RawH2 implements AutoCloseable {

  private static final byte DATA = 0;
  private static final byte HEADERS = 1;
  private static final byte RST_STREAM = 3;
  private static final byte SETTINGS = 4;
  private static final byte GOAWAY = 7;

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;

  RawH2(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    in = new DataInputStream(socket.getInputStream());
    out = socket.getOutputStream();
    out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    frame(SETTINGS, 0, 0, new byte[0]);
  }

  /** Sends one request on stream 1 (body may be null) and reads until its response headers. */
  int request(Http2Headers headers, byte[] body) throws Exception {
    ByteBuf block = Unpooled.buffer();
    new DefaultHttp2HeadersEncoder(Http2HeadersEncoder.NEVER_SENSITIVE, true).encodeHeaders(1, headers, block);
    byte[] encoded = new byte[block.readableBytes()];
    block.readBytes(encoded);
    frame(HEADERS, 0x4 | (body == null ? 0x1 : 0), 1, encoded);
    if (body != null) {
      frame(DATA, 0x1, 1, body);
    }
    out.flush();
    DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false);
    while (true) {
      int length;
      try {
        length = (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
      } catch (java.io.EOFException e) {
        return -1000;
      }
      int type = in.readUnsignedByte();
      int flags = in.readUnsignedByte();
      int stream = in.readInt() & 0x7fffffff;
      byte[] payload = in.readNBytes(length);
      if (type == SETTINGS && (flags & 0x1) == 0) {
        frame(SETTINGS, 0x1, 0, new byte[0]);
      } else if (type == GOAWAY) {
        return -1000;
      } else if (type == RST_STREAM && stream == 1) {
        return -(((payload[0] & 0xff) << 24 | (payload[1] & 0xff) << 16 | (payload[2] & 0xff) << 8
            | (payload[3] & 0xff)) + 1);
      } else if (type == HEADERS && stream == 1) {
        int offset = (flags & 0x8) != 0 ? 1 + (payload[0] & 0xff) : 0;
        offset += (flags & 0x20) != 0 ? 5 : 0;
        Http2Headers response = decoder.decodeHeaders(1, Unpooled.wrappedBuffer(payload, offset,
            payload.length - offset));
        return Integer.parseInt(response.status().toString());
      }
    }
  }

  private void frame(byte type, int flags, int stream, byte[] payload) throws IOException {
    out.write(new byte[] {(byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length,
        type, (byte) flags, (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8), (byte) stream});
    out.write(payload);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
