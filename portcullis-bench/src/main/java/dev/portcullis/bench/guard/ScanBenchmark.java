package dev.portcullis.bench.guard;

import dev.portcullis.guard.action.Action;
import dev.portcullis.guard.action.ActionPolicy;
import dev.portcullis.guard.action.PseudonymVault;
import dev.portcullis.guard.action.Redactor;
import dev.portcullis.guard.action.RequestScope;
import dev.portcullis.guard.detect.Finding;
import dev.portcullis.guard.detect.Scanner;
import dev.portcullis.guard.detect.ScannerConfig;
import dev.portcullis.guard.stream.RedactingStreamFilter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * PII-and-secret scan over 1 MiB of English prose with one value every 2 KiB (about 500 findings). Target:
 * at least 100 MB/s per core, i.e. at most 10 ms per operation here. Also the same text redacted through the stream
 * filter in 16-character deltas (an SSE-like chunking).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class ScanBenchmark {
  static final int SIZE = 1 << 20;

  String text;
  String[] deltas;
  Scanner scanner;
  Redactor redactor;
  byte[] key = "benchmark-tenant-key-0123456789".getBytes(StandardCharsets.UTF_8);

  @Setup(Level.Trial)
  public void setUp() {
    text = Corpus.prose(SIZE, 2048, 42);
    scanner = Scanner.create(ScannerConfig.all("US"));
    redactor = new Redactor(scanner, ActionPolicy.uniform(Action.REDACT));
    int n = (text.length() + 15) / 16;
    deltas = new String[n];
    for (int i = 0; i < n; i++) {
      deltas[i] = text.substring(i * 16, Math.min(text.length(), i * 16 + 16));
    }
  }

  @Benchmark
  public List<Finding> scanProse1MiB() {
    return scanner.scan(text);
  }

  @Benchmark
  public int redactStream1MiBIn16CharDeltas() {
    RedactingStreamFilter f = new RedactingStreamFilter(redactor, new RequestScope(key, new PseudonymVault(16)));
    int total = 0;
    for (String d : deltas) {
      total += f.push(d).length();
    }
    return total + f.finish().length();
  }
}
