package dev.portcullis.limits;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.config.ConfigSection;
import dev.portcullis.limit.config.ConfigError;
import dev.portcullis.limit.config.LimitsConfig;
import dev.portcullis.limit.config.LimitsConfigParser;
import dev.portcullis.limit.config.ParseResult;
import java.util.List;

/**
 * The {@code limits} section (see docs/limits.md). Absent means no limits. Reloadable: plan and limit edits apply
 * to the next request; {@code failure-mode} and {@code instances} are read when the store is built.
 */
public final class LimitsSection implements ConfigSection<LimitsConfig> {

  public static final LimitsSection INSTANCE = new LimitsSection();

  private LimitsSection() {}

  @Override
  public String key() {
    return "limits";
  }

  @Override
  public boolean reloadable() {
    return true;
  }

  @Override
  public LimitsConfig parse(JsonNode node, Context context, List<String> problems) {
    if (node.isMissingNode() || node.isNull()) {
      return null;
    }
    return switch (LimitsConfigParser.parse(node)) {
      case ParseResult.Valid v -> v.config();
      case ParseResult.Invalid i -> {
        for (ConfigError e : i.errors()) {
          problems.add(e.path() + ": " + e.message());
        }
        yield null;
      }
    };
  }
}
