package dev.portcullis.guard.injection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** One row of the injection data: text, label (true = attack) and the subset it came from. */
public record LabelledPrompt(String text, boolean attack, String subset) {
  /** Reads JSON lines with {@code text}, {@code label} (0/1) and {@code subset}. */
  public static List<LabelledPrompt> read(Path jsonl) throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    List<LabelledPrompt> rows = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(jsonl, StandardCharsets.UTF_8)) {
      String line;
      int n = 0;
      while ((line = r.readLine()) != null) {
        n++;
        if (line.isBlank()) {
          continue;
        }
        JsonNode node = mapper.readTree(line);
        if (!node.hasNonNull("text") || !node.hasNonNull("label")) {
          throw new IOException(jsonl + ":" + n + ": needs text and label");
        }
        rows.add(new LabelledPrompt(node.get("text").asText(), node.get("label").asInt() == 1,
            node.path("subset").asText("unknown")));
      }
    }
    return rows;
  }
}
