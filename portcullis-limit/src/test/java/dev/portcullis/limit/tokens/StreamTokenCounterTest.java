package dev.portcullis.limit.tokens;

import static dev.portcullis.limit.tokens.TokenEstimatorTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.limit.Lease;
import dev.portcullis.limit.Usage;
import dev.portcullis.limit.config.StreamOverflow;
import org.junit.jupiter.api.Test;

class StreamTokenCounterTest {
    final TokenEstimator estimator = new TokenEstimator();

    @Test
    void countsStreamedDeltasWhenTheUpstreamReportsNoUsage() {
        StreamTokenCounter c = new StreamTokenCounter(estimator, "gpt-4o", 40);
        c.onChunk(json("{\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}"));
        c.onChunk(json("{\"choices\":[{\"delta\":{\"content\":\"hello world\"}}]}"));
        c.onChunk(json("{\"choices\":[{\"delta\":{\"tool_calls\":[{\"function\":{\"arguments\":\"{\\\"q\\\":1}\"}}]}}]}"));
        assertThat(c.outputTokens()).isEqualTo(2 + estimator.countText("gpt-4o", "{\"q\":1}"));
        assertThat(c.usage()).isEqualTo(new Usage(40, c.outputTokens()));
    }

    @Test
    void prefersTheUsageTheUpstreamReportsInItsLastChunk() {
        StreamTokenCounter c = new StreamTokenCounter(estimator, "gpt-4o", 40);
        c.onChunk(json("{\"choices\":[{\"delta\":{\"content\":\"hello world\"}}]}"));
        c.onChunk(json("{\"choices\":[],\"usage\":{\"prompt_tokens\":37,\"completion_tokens\":2}}"));
        assertThat(c.usage()).isEqualTo(new Usage(37, 2));
    }

    @Test
    void feedsTheMidStreamCheck() {
        StreamTokenCounter c = new StreamTokenCounter(estimator, "gpt-4o", 10);
        StreamBudget budget = new StreamBudget(new Lease("r", "gpt-4o", 10, 2, 13), StreamOverflow.CUT);
        assertThat(budget.check(c.onChunk(json("{\"choices\":[{\"delta\":{\"content\":\"hello world\"}}]}"))))
                .isEqualTo(StreamBudget.Verdict.CONTINUE);
        assertThat(budget.check(c.onChunk(json("{\"choices\":[{\"delta\":{\"content\":\" and more words\"}}]}"))))
                .isEqualTo(StreamBudget.Verdict.CUT);
    }
}
