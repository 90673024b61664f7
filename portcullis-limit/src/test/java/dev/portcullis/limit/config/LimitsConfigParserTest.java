package dev.portcullis.limit.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class LimitsConfigParserTest {
    static final String EXAMPLE = """
            failure-mode: fail-open-local
            instances: 3
            reservation-ttl: 5m
            stream-overflow: carry-debt
            time-zone: Europe/Berlin
            tenant-time-zones: {acme: Asia/Tokyo}
            default-plan: free
            prices:
              currency: USD
              models:
                gpt-4o: { input: 2.50, output: 10.00 }
            global:
              - { name: global-rps, per: [global], unit: requests, algorithm: token_bucket, limit: 1000, period: 1s, burst: 2000 }
            plans:
              free:
                priority: low
                models: [gpt-4o-mini]
                max-output-tokens: 1024
                default-output-tokens: 256
                limits:
                  - { name: free-rpm, per: [key], unit: requests, algorithm: sliding_window, limit: 20, period: 1m }
                  - { name: free-tpd, per: [tenant, model], unit: tokens, algorithm: daily, limit: 100000 }
                  - { name: free-streams, per: ["header:x-team"], unit: concurrency, limit: 2, period: 2m }
              enterprise:
                priority: critical
                limits:
                  - { name: ent-spend, per: [tenant], unit: spend, algorithm: monthly, limit: 500000000 }
            """;

    @Test
    void parsesAFullConfigurationIntoValues() {
        LimitsConfig c = Yaml.config(EXAMPLE);
        assertThat(c.failureMode()).isEqualTo(FailureMode.FAIL_OPEN_LOCAL);
        assertThat(c.instances()).isEqualTo(3);
        assertThat(c.reservationTtl()).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.streamOverflow()).isEqualTo(StreamOverflow.CARRY_DEBT);
        assertThat(c.defaultZone()).isEqualTo(ZoneId.of("Europe/Berlin"));
        assertThat(c.zoneOf("acme")).isEqualTo(ZoneId.of("Asia/Tokyo"));
        assertThat(c.zoneOf("globex")).isEqualTo(ZoneId.of("Europe/Berlin"));
        assertThat(c.prices().price("gpt-4o")).hasValue(new PriceTable.Price(2_500_000, 10_000_000));
        assertThat(c.globalLimits().getFirst().burst()).isEqualTo(2000);
        Plan free = c.plan("free").orElseThrow();
        assertThat(free.priority()).isEqualTo(PriorityClass.LOW);
        assertThat(free.allowsModel("gpt-4o-mini")).isTrue();
        assertThat(free.allowsModel("gpt-4o")).isFalse();
        assertThat(free.limits()).extracting(LimitRule::name).containsExactly("free-rpm", "free-tpd", "free-streams");
        LimitRule tpd = free.limits().get(1);
        assertThat(tpd.dimensions()).containsExactly(Dimension.TENANT, Dimension.MODEL);
        assertThat(tpd.algorithm()).isEqualTo(Algorithm.DAILY);
        assertThat(free.limits().get(2).header()).isEqualTo("x-team");
        assertThat(c.plan("enterprise").orElseThrow().allowsModel("anything")).isTrue();
    }

    @Test
    void reportsEveryErrorWithItsPath() {
        ParseResult r = LimitsConfigParser.parse(Yaml.tree("""
                instances: 0
                failure-mode: sometimes
                tenant-time-zones: {acme: Mars/Olympus, globex: 3}
                plans:
                  free:
                    limits:
                      - { name: a, per: [key], unit: requests, algorithm: sliding_window, limit: 5, period: 1m }
                      - { name: a, per: [key], unit: requests, algorithm: sliding_window, limit: 5, period: 1m }
                      - { name: c, per: [planet], unit: requests, algorithm: token_bucket, limit: -3, period: 1 minute }
                      - { name: d, per: [key], unit: tokens, algorithm: daily, limit: 9, period: 1d, colour: red }
                """));
        assertThat(r).isInstanceOf(ParseResult.Invalid.class);
        assertThat(((ParseResult.Invalid) r).errors()).extracting(ConfigError::path).contains(
                "limits.instances", "limits.failure-mode", "limits.tenant-time-zones.acme",
                "limits.tenant-time-zones.globex", "limits.plans.free.limits[1].name",
                "limits.plans.free.limits[2].per[0]", "limits.plans.free.limits[2].limit",
                "limits.plans.free.limits[2].period", "limits.plans.free.limits[3].period",
                "limits.plans.free.limits[3].colour");
    }

    @Test
    void acceptsPlainMapsAndLists() {
        ParseResult r = LimitsConfigParser.parse(java.util.Map.of("plans", java.util.Map.of("free", java.util.Map.of(
                "limits", List.of(java.util.Map.of("name", "rpm", "per", List.of("ip"), "unit", "requests",
                        "algorithm", "sliding_window", "limit", 10, "period", "1m"))))));
        assertThat(r).isInstanceOf(ParseResult.Valid.class);
        assertThat(((ParseResult.Valid) r).config().plan("free").orElseThrow().limits()).hasSize(1);
    }

    @Test
    void refusesADefaultPlanThatIsNotDefined() {
        ParseResult r = LimitsConfigParser.parse(Yaml.tree("""
                default-plan: gold
                plans:
                  free: {}
                  pro: {}
                """));
        assertThat(((ParseResult.Invalid) r).errors())
                .containsExactly(new ConfigError("limits.default-plan", "names no defined plan: gold"));
    }

    @Property(tries = 300)
    void neverThrowsOnArbitraryInput(@ForAll("trees") JsonNode tree) {
        ParseResult r = LimitsConfigParser.parse(tree);
        if (r instanceof ParseResult.Invalid i) {
            assertThat(i.errors()).isNotEmpty();
        }
    }

    @Provide
    Arbitrary<JsonNode> trees() {
        JsonNode base = Yaml.tree(EXAMPLE);
        List<String> paths = List.of("instances", "prices", "global", "plans", "default-plan", "time-zone",
                "tenant-time-zones", "reservation-ttl", "failure-mode");
        Arbitrary<JsonNode> values = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(12).map(JsonNodeFactory.instance::textNode),
                Arbitraries.longs().map(JsonNodeFactory.instance::numberNode),
                Arbitraries.just(JsonNodeFactory.instance.nullNode()),
                Arbitraries.just(JsonNodeFactory.instance.arrayNode()),
                Arbitraries.just(JsonNodeFactory.instance.objectNode()));
        return Arbitraries.of(paths).flatMap(path -> values.map(v -> {
            ObjectNode copy = base.deepCopy();
            copy.set(path, v);
            if (copy.path("plans").path("free").path("limits") instanceof ArrayNode rules && !rules.isEmpty()) {
                ((ObjectNode) rules.get(0)).set("limit", v);
            }
            return (JsonNode) copy;
        }));
    }
}
