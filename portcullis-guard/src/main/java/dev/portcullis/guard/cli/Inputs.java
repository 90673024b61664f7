package dev.portcullis.guard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/** Reads documents from files or stdin: each whole input is one document, or each line with {@code --jsonl}. */
final class Inputs {
  /** One document: its source (file or "-"), line number (0 when whole input) and text. */
  record Doc(String source, long line, String text) {}

  /** Thrown for input the user must fix; the command prints the message and exits 2. */
  static final class BadInput extends RuntimeException {
    BadInput(String message) {
      super(message);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Longest document read, in characters; longer ones are rejected rather than buffered without bound. */
  static final int MAX_DOC = 16 * 1024 * 1024;

  private Inputs() {}

  static void read(List<Path> files, InputStream stdin, boolean jsonl, String field, Consumer<Doc> sink) {
    try {
      if (files == null || files.isEmpty()) {
        readOne("-", stdin, jsonl, field, sink);
      } else {
        for (Path p : files) {
          if (!Files.isReadable(p)) {
            throw new BadInput("cannot read " + p);
          }
          try (InputStream in = Files.newInputStream(p)) {
            readOne(p.toString(), in, jsonl, field, sink);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void readOne(String source, InputStream in, boolean jsonl, String field, Consumer<Doc> sink)
      throws IOException {
    BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    if (!jsonl) {
      StringBuilder b = new StringBuilder();
      char[] buf = new char[8192];
      int n;
      while ((n = r.read(buf)) > 0) {
        if (b.length() + n > MAX_DOC) {
          throw new BadInput(source + ": document longer than " + MAX_DOC + " characters; use --jsonl");
        }
        b.append(buf, 0, n);
      }
      sink.accept(new Doc(source, 0, b.toString()));
      return;
    }
    String line;
    long no = 0;
    while ((line = r.readLine()) != null) {
      no++;
      if (line.isBlank()) {
        continue;
      }
      if (line.length() > MAX_DOC) {
        throw new BadInput(source + ":" + no + ": line longer than " + MAX_DOC + " characters");
      }
      JsonNode node;
      try {
        node = JSON.readTree(line);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new BadInput(source + ":" + no + ": not JSON (" + e.getOriginalMessage() + ")");
      }
      JsonNode text = node.get(field);
      if (text == null || !text.isTextual()) {
        throw new BadInput(source + ":" + no + ": no string field '" + field + "'");
      }
      sink.accept(new Doc(source, no, text.asText()));
    }
  }
}
