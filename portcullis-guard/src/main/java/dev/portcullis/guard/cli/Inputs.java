package dev.portcullis.guard.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads documents from files or stdin: each whole input is one document, or each line with {@code --jsonl}. Blank
 * documents (empty or whitespace only) are skipped: there is nothing in them to report.
 */
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

  /**
   * Passes each non-blank document to {@code sink}. Under {@code jsonl}, a line that is not JSON or lacks the string
   * {@code field} goes to {@code badLine} as "source:line: reason" (never its content, which may be a secret) and
   * reading goes on; returns the number of such lines.
   *
   * @throws BadInput if a file is missing, a directory or unreadable (checked for all files before any is read), or
   *     a document is too long
   */
  static long read(List<Path> files, InputStream stdin, boolean jsonl, String field, Consumer<Doc> sink,
      Consumer<String> badLine) {
    if (files == null || files.isEmpty()) {
      return readOne("-", stdin, jsonl, field, sink, badLine);
    }
    for (Path p : files) {
      requireReadableFile(p);
    }
    long bad = 0;
    for (Path p : files) {
      try (InputStream in = Files.newInputStream(p)) {
        bad += readOne(p.toString(), in, jsonl, field, sink, badLine);
      } catch (IOException e) {
        throw new BadInput("cannot read " + p + ": " + reason(e));
      }
    }
    return bad;
  }

  /** @throws BadInput naming {@code p} unless it is a readable regular file */
  static void requireReadableFile(Path p) {
    if (!Files.exists(p)) {
      throw new BadInput("cannot read " + p + ": no such file");
    }
    if (Files.isDirectory(p)) {
      throw new BadInput("cannot read " + p + ": is a directory");
    }
    if (!Files.isReadable(p)) {
      throw new BadInput("cannot read " + p + ": permission denied");
    }
  }

  private static String reason(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    return e.getClass().getSimpleName();
  }

  private static long readOne(String source, InputStream in, boolean jsonl, String field, Consumer<Doc> sink,
      Consumer<String> badLine) {
    try {
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      return jsonl ? readLines(source, r, field, sink, badLine) : readWhole(source, r, sink);
    } catch (IOException e) {
      throw new BadInput("cannot read " + source + ": " + reason(e));
    }
  }

  private static long readWhole(String source, BufferedReader r, Consumer<Doc> sink) throws IOException {
    StringBuilder b = new StringBuilder();
    char[] buf = new char[8192];
    int n;
    while ((n = r.read(buf)) > 0) {
      if (b.length() + n > MAX_DOC) {
        throw new BadInput(source + ": document longer than " + MAX_DOC + " characters; use --jsonl");
      }
      b.append(buf, 0, n);
    }
    String text = b.toString();
    if (!text.isBlank()) {
      sink.accept(new Doc(source, 0, text));
    }
    return 0;
  }

  private static long readLines(String source, BufferedReader r, String field, Consumer<Doc> sink,
      Consumer<String> badLine) throws IOException {
    long bad = 0;
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
      } catch (JsonProcessingException e) {
        // Jackson's message quotes the offending token; only the column is safe to show.
        String at = e.getLocation() == null ? "" : " (column " + e.getLocation().getColumnNr() + ")";
        badLine.accept(source + ":" + no + ": not JSON" + at);
        bad++;
        continue;
      }
      JsonNode text = node == null ? null : node.get(field);
      if (text == null || !text.isTextual()) {
        badLine.accept(source + ":" + no + ": no string field '" + field + "'");
        bad++;
        continue;
      }
      if (!text.asText().isBlank()) {
        sink.accept(new Doc(source, no, text.asText()));
      }
    }
    return bad;
  }
}
