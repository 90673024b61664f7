package dev.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.InternalServerException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The official OpenAI Java SDK, unchanged, against the gateway. */
class JavaSdkTest {

  static GatewayHarness h;
  static OpenAIClient client;

  @BeforeAll
  static void start() {
    h = GatewayHarness.builder().start();
    client = OpenAIOkHttpClient.builder().baseUrl(h.baseUrl()).apiKey("java-sdk-client-key").maxRetries(0)
        .timeout(Duration.ofSeconds(20)).build();
  }

  @AfterAll
  static void stop() {
    client.close();
    h.close();
  }

  static ChatCompletionCreateParams.Builder chat(String model) {
    return ChatCompletionCreateParams.builder().model(model).addUserMessage("Hello from the Java SDK");
  }

  @Test
  void chatCompletion() {
    ChatCompletion completion = client.chat().completions().create(chat("sim-small").build());
    assertThat(completion.choices().getFirst().message().content()).hasValueSatisfying(c ->
        assertThat(c).isNotBlank());
    assertThat(completion.usage()).hasValueSatisfying(u -> assertThat(u.totalTokens()).isPositive());
  }

  @Test
  void streamingChatCompletion() {
    List<String> parts = new ArrayList<>();
    long[] completionTokens = {0};
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
        chat("sim-small").streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
      stream.stream().forEach(chunk -> {
        chunk.choices().forEach(choice -> choice.delta().content().ifPresent(parts::add));
        chunk.usage().ifPresent(u -> completionTokens[0] = u.completionTokens());
      });
    }
    assertThat(String.join("", parts)).isNotBlank();
    assertThat(completionTokens[0]).isEqualTo(16);
  }

  @Test
  void embeddings() {
    CreateEmbeddingResponse response = client.embeddings().create(EmbeddingCreateParams.builder()
        .model("sim-embed").input("hello").build());
    assertThat(response.data()).hasSize(1);
    assertThat(response.data().getFirst().embedding()).hasSize(8);
  }

  @Test
  void upstreamErrorsSurfaceAsTypedSdkExceptions() {
    assertThatThrownBy(() -> client.chat().completions().create(chat("sim-error-400").build()))
        .isInstanceOf(BadRequestException.class);
    assertThatThrownBy(() -> client.chat().completions().create(chat("sim-error-500").build()))
        .isInstanceOf(InternalServerException.class);
  }

  @Test
  void gatewayErrorsSurfaceAsTypedSdkExceptions() {
    assertThatThrownBy(() -> client.chat().completions().create(chat("no-such-model").build()))
        .isInstanceOf(com.openai.errors.NotFoundException.class)
        .hasMessageContaining("no-such-model");
  }
}
