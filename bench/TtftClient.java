import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Time-to-first-token client for proxy-bench.sh. Run with {@code java TtftClient.java URL BODY_FILE KEY STREAMS
 * CONCURRENCY WARMUP}.
 *
 * <p>Each of CONCURRENCY threads keeps one HTTP/1.1 keep-alive connection and sends streaming chat requests one after
 * another. For each request it notes the time just before the request bytes are written and the time the first chunk
 * holding a {@code data:} event has been read, then drains the response to its end (chunked or Content-Length) so the
 * connection can be reused. The first WARMUP requests of each thread are not counted. Plain blocking sockets with
 * TCP_NODELAY and no HTTP library, so the client adds the same few microseconds to every target.
 *
 * <p>Bounded: a read waits at most 5 s, a thread gives up after 5 failed requests, and the whole run stops after
 * 120 s (so a target that stopped answering costs minutes, not hours).
 *
 * <p>Prints one line: {@code ttft n=... ok=... non2xx=... errors=... p50_us=... p90_us=... p99_us=... max_us=...}.
 */
public final class TtftClient {

  static final long DEADLINE = System.nanoTime() + 120_000_000_000L;
  static final int MAX_ERRORS = 5;

  public static void main(String[] args) throws Exception {
    if (args.length != 6) {
      System.err.println("usage: java TtftClient.java URL BODY_FILE KEY STREAMS CONCURRENCY WARMUP");
      System.exit(2);
    }
    URI url = URI.create(args[0]);
    byte[] body = Files.readAllBytes(Path.of(args[1]));
    String key = args[2];
    int streams = Integer.parseInt(args[3]);
    int concurrency = Integer.parseInt(args[4]);
    int warmup = Integer.parseInt(args[5]);
    String head = "POST " + url.getRawPath() + " HTTP/1.1\r\n"
        + "Host: " + url.getHost() + ":" + url.getPort() + "\r\n"
        + "Authorization: Bearer " + key + "\r\n"
        + "Content-Type: application/json\r\n"
        + "Accept: text/event-stream\r\n"
        + "Content-Length: " + body.length + "\r\n\r\n";
    byte[] request = concat(head.getBytes(StandardCharsets.US_ASCII), body);

    int perThread = (streams + concurrency - 1) / concurrency;
    Worker[] workers = new Worker[concurrency];
    Thread[] threads = new Thread[concurrency];
    for (int i = 0; i < concurrency; i++) {
      workers[i] = new Worker(url, request, perThread, warmup);
      threads[i] = new Thread(workers[i], "ttft-" + i);
      threads[i].start();
    }
    List<Long> all = new ArrayList<>();
    long non2xx = 0;
    long errors = 0;
    for (int i = 0; i < concurrency; i++) {
      threads[i].join();
      for (int j = 0; j < workers[i].count; j++) {
        all.add(workers[i].ttftNanos[j]);
      }
      non2xx += workers[i].non2xx;
      errors += workers[i].errors;
    }
    long[] sorted = all.stream().mapToLong(Long::longValue).sorted().toArray();
    System.out.printf(Locale.ROOT, "ttft n=%d ok=%d non2xx=%d errors=%d p50_us=%.1f p90_us=%.1f p99_us=%.1f "
        + "max_us=%.1f%n", (long) perThread * concurrency, sorted.length, non2xx, errors, pct(sorted, 50),
        pct(sorted, 90), pct(sorted, 99), sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1] / 1e3);
    if (sorted.length == 0 || non2xx > 0 || errors > 0) {
      System.exit(1);
    }
  }

  /** Nearest-rank percentile in microseconds. */
  static double pct(long[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e3;
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  static final class Worker implements Runnable {
    final URI url;
    final byte[] request;
    final int total;
    final int warmup;
    final long[] ttftNanos;
    int count;
    long non2xx;
    long errors;
    Socket socket;
    InputStream in;
    OutputStream out;

    Worker(URI url, byte[] request, int measured, int warmup) {
      this.url = url;
      this.request = request;
      this.total = measured + warmup;
      this.warmup = warmup;
      this.ttftNanos = new long[measured];
    }

    @Override
    public void run() {
      for (int i = 0; i < total && errors < MAX_ERRORS && System.nanoTime() < DEADLINE; i++) {
        try {
          if (socket == null) {
            connect();
          }
          long ttft = once();
          if (ttft < 0) {
            non2xx++;
          } else if (i >= warmup) {
            ttftNanos[count++] = ttft;
          }
        } catch (IOException e) {
          errors++;
          if (errors <= 3) {
            System.err.println("ttft: " + e);
          }
          closeQuietly();
        }
      }
      closeQuietly();
    }

    void connect() throws IOException {
      socket = new Socket();
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(5_000);
      socket.connect(new InetSocketAddress(url.getHost(), url.getPort()), 5_000);
      in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
      out = socket.getOutputStream();
    }

    void closeQuietly() {
      if (socket != null) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // closing anyway
        }
      }
      socket = null;
    }

    /** One request; returns nanoseconds to the first data: event, or -1 for a non-2xx answer. */
    long once() throws IOException {
      long start = System.nanoTime();
      out.write(request);
      out.flush();
      String status = line();
      if (status == null) {
        throw new IOException("connection closed before the status line");
      }
      int code = Integer.parseInt(status.split(" ", 3)[1]);
      long contentLength = -1;
      boolean chunked = false;
      boolean close = false;
      for (String h = line(); h != null && !h.isEmpty(); h = line()) {
        int colon = h.indexOf(':');
        String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String value = h.substring(colon + 1).trim();
        switch (name) {
          case "content-length" -> contentLength = Long.parseLong(value);
          case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
          case "connection" -> close = value.equalsIgnoreCase("close");
          default -> { }
        }
      }
      long first = -1;
      if (chunked) {
        while (true) {
          String sizeLine = line();
          if (sizeLine == null) {
            throw new IOException("connection closed inside a chunked body");
          }
          int semi = sizeLine.indexOf(';');
          int size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
          if (size == 0) {
            for (String t = line(); t != null && !t.isEmpty(); t = line()) {
              // trailers: none expected
            }
            break;
          }
          byte[] chunk = in.readNBytes(size);
          if (chunk.length != size) {
            throw new IOException("short chunk");
          }
          if (first < 0 && contains(chunk, DATA)) {
            first = System.nanoTime() - start;
          }
          line(); // CRLF after the chunk
        }
      } else if (contentLength >= 0) {
        byte[] all = in.readNBytes((int) contentLength);
        if (first < 0 && contains(all, DATA)) {
          first = System.nanoTime() - start;
        }
      } else {
        byte[] all = in.readAllBytes();
        if (contains(all, DATA)) {
          first = System.nanoTime() - start;
        }
        close = true;
      }
      if (close) {
        closeQuietly();
      }
      if (code < 200 || code > 299) {
        return -1;
      }
      if (first < 0) {
        throw new IOException("2xx answer without a data: event");
      }
      return first;
    }

    String line() throws IOException {
      ByteArrayOutputStream buf = new ByteArrayOutputStream(128);
      int b;
      while ((b = in.read()) != -1) {
        if (b == '\n') {
          int n = buf.size();
          byte[] bytes = buf.toByteArray();
          return new String(bytes, 0, n > 0 && bytes[n - 1] == '\r' ? n - 1 : n, StandardCharsets.ISO_8859_1);
        }
        buf.write(b);
      }
      return buf.size() == 0 ? null : buf.toString(StandardCharsets.ISO_8859_1);
    }
  }

  static final byte[] DATA = "data:".getBytes(StandardCharsets.US_ASCII);

  static boolean contains(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
