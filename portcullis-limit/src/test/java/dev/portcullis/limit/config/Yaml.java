package dev.portcullis.limit.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/** Test helper: YAML text to the tree the gateway hands the parser, and to a valid config. */
public final class Yaml {
    private static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory());

    private Yaml() {}

    public static JsonNode tree(String yaml) {
        try {
            return MAPPER.readTree(yaml);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    public static LimitsConfig config(String yaml) {
        return switch (LimitsConfigParser.parse(tree(yaml))) {
            case ParseResult.Valid v -> v.config();
            case ParseResult.Invalid i -> throw new AssertionError("invalid test config: " + i.errors());
        };
    }
}
