package dev.portcullis.limit.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.limit.Lease;
import dev.portcullis.limit.Usage;
import dev.portcullis.limit.config.StreamOverflow;
import dev.portcullis.limit.tokens.TokenEstimator.Endpoint;
import dev.portcullis.limit.tokens.TokenEstimator.Estimate;
import org.junit.jupiter.api.Test;

class TokenEstimatorTest {
    static final ObjectMapper JSON = new ObjectMapper();
    final TokenEstimator estimator = new TokenEstimator();

    static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Test
    void countsChatMessagesWithTheModelsEncodingAndFormatOverhead() {
        Estimate e = estimator.estimate(Endpoint.CHAT_COMPLETIONS, json("""
                {"model":"gpt-4","messages":[{"role":"user","content":"hello world"}],"max_tokens":100,"n":2}"""));
        // 3 reply priming + 3 per message + "user" (1) + "hello world" (2)
        assertThat(e.promptTokens()).isEqualTo(9);
        assertThat(e.maxOutputTokens()).isEqualTo(200);
        assertThat(e.model()).isEqualTo("gpt-4");
    }

    @Test
    void usesO200kForRecentModelsItDoesNotKnowByName() {
        String text = "Tokenizers differ: 東京は日本の首都です。";
        assertThat(estimator.countText("gpt-5-mini", text)).isEqualTo(estimator.countText("gpt-4o", text));
        assertThat(estimator.countText("llama-3-70b", text)).isEqualTo(estimator.countText("gpt-4", text));
    }

    @Test
    void countsImagePartsAndToolsConservatively() {
        Estimate e = estimator.estimate(Endpoint.CHAT_COMPLETIONS, json("""
                {"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"text","text":"what is this"},
                 {"type":"image_url","image_url":{"url":"https://example.com/a.png"}}]}],
                 "tools":[{"type":"function","function":{"name":"lookup","parameters":{"type":"object"}}}]}"""));
        assertThat(e.promptTokens()).isGreaterThan(765 + 3 + 3 + 3 + 10);
        assertThat(e.maxOutputTokens()).isEqualTo(-1);
    }

    @Test
    void embeddingsReserveNoOutputAndCountTokenArrays() {
        Estimate e = estimator.estimate(Endpoint.EMBEDDINGS, json("""
                {"model":"text-embedding-3-small","input":["hello world",[1,2,3,4]]}"""));
        assertThat(e.promptTokens()).isEqualTo(2 + 4);
        assertThat(e.maxOutputTokens()).isZero();
    }

    @Test
    void specialTokenTextInInputIsCountedNotRejected() {
        Estimate e = estimator.estimate(Endpoint.COMPLETIONS, json("""
                {"model":"gpt-3.5-turbo-instruct","prompt":"<|endoftext|> ignore","max_tokens":5}"""));
        assertThat(e.promptTokens()).isGreaterThan(2);
        assertThat(e.maxOutputTokens()).isEqualTo(5);
    }

    @Test
    void malformedBodiesAreOverEstimatedNeverRejected() {
        assertThat(estimator.estimate(Endpoint.CHAT_COMPLETIONS, json("{\"messages\":\"just text here\"}"))
                .promptTokens()).isGreaterThan(3);
        assertThat(estimator.estimate(Endpoint.CHAT_COMPLETIONS, json("[1,2,3]")).promptTokens()).isPositive();
        assertThat(estimator.estimate(Endpoint.CHAT_COMPLETIONS, json("{\"max_tokens\":\"lots\"}")).maxOutputTokens())
                .isEqualTo(-1);
    }

    @Test
    void asksStreamingUpstreamsForUsageAndReadsItFromTheLastChunk() {
        ObjectNode body = (ObjectNode) json("{\"stream\":true,\"messages\":[]}");
        StreamUsage.askForUsage(body);
        assertThat(body.path("stream_options").path("include_usage").asBoolean()).isTrue();
        ObjectNode plain = (ObjectNode) json("{\"messages\":[]}");
        StreamUsage.askForUsage(plain);
        assertThat(plain.has("stream_options")).isFalse();
        assertThat(StreamUsage.usage(json("{\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":30}}")))
                .hasValue(new Usage(12, 30));
        assertThat(StreamUsage.usage(json("{\"choices\":[{\"delta\":{}}]}"))).isEmpty();
        assertThat(StreamUsage.usage(json("{\"usage\":{\"prompt_tokens\":-4}}"))).isEmpty();
    }

    @Test
    void streamBudgetCutsOrCarriesDebtOnceOutputPassesTheAllowance() throws Exception {
        Lease lease = new Lease("r1", "gpt-4o", 100, 500, 700);
        StreamBudget cut = new StreamBudget(lease, StreamOverflow.CUT);
        assertThat(cut.check(600)).isEqualTo(StreamBudget.Verdict.CONTINUE);
        assertThat(cut.remainingOutput(550)).isEqualTo(50);
        assertThat(cut.check(601)).isEqualTo(StreamBudget.Verdict.CUT);
        assertThat(new StreamBudget(lease, StreamOverflow.CARRY_DEBT).check(601))
                .isEqualTo(StreamBudget.Verdict.CARRY_DEBT);
        String event = StreamBudget.errorEvent();
        assertThat(event).startsWith("event: error\ndata: ").endsWith("\n\n");
        JsonNode data = JSON.readTree(event.substring(event.indexOf("data: ") + 6).trim());
        assertThat(data.path("error").path("code").asText()).isEqualTo("token_quota_exceeded");
    }

    @Test
    void longTextIsCountedInPiecesWithinAFewTokensOfTheWholeCount() {
        // issue 10 item 11: counting is linear in the text's length, and cut before spaces it stays close
        var enc = com.knuddels.jtokkit.Encodings.newDefaultEncodingRegistry()
                .getEncoding(com.knuddels.jtokkit.api.EncodingType.CL100K_BASE);
        StringBuilder prose = new StringBuilder();
        java.util.Random random = new java.util.Random(7);
        String[] words = {"the", "gateway", "counts", "tokens", "before", "calling", "an", "upstream", "model,", "and"};
        while (prose.length() < 200_000) {
            prose.append(words[random.nextInt(words.length)]).append(random.nextInt(9) == 0 ? "\n" : " ");
        }
        int exact = enc.countTokensOrdinary(prose.toString());
        int pieces = TokenEstimator.count(enc, prose.toString());
        int cuts = prose.length() / (TokenEstimator.PIECE / 2) + 1;
        assertThat(pieces).isBetween(exact - cuts, exact + cuts);
    }

    @Test
    void aMegabyteOfOneLetterIsCountedWithoutQuadraticCost() {
        String run = "a".repeat(1_000_000);
        var enc = com.knuddels.jtokkit.Encodings.newDefaultEncodingRegistry()
                .getEncoding(com.knuddels.jtokkit.api.EncodingType.CL100K_BASE);
        // the whole run at once takes seconds; in pieces each piece costs the same, and the count is an upper bound
        int pieces = TokenEstimator.count(enc, run);
        assertThat(pieces).isBetween(run.length() / 8, run.length());
        assertThat(TokenEstimator.count(enc, "b".repeat(TokenEstimator.PIECE * 3)))
                .isEqualTo(3 * enc.countTokensOrdinary("b".repeat(TokenEstimator.PIECE)));
    }
}
