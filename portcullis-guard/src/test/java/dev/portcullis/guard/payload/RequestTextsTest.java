package dev.portcullis.guard.payload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.guard.action.Action;
import dev.portcullis.guard.action.ActionPolicy;
import dev.portcullis.guard.action.Redactor;
import dev.portcullis.guard.detect.Scanner;
import dev.portcullis.guard.detect.ScannerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Issue 10 item 5: every string of a request is inspected in one walk; shapes the API does not define are refused. */
class RequestTextsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Redactor REDACT = new Redactor(Scanner.create(ScannerConfig.all("US")),
      ActionPolicy.uniform(Action.REDACT));

  /** An inspector that rewrites with {@code f} and scores nothing. */
  static RequestTexts.Inspector redacting(UnaryOperator<String> f) {
    return new Recorder(f);
  }

  static class Recorder implements RequestTexts.Inspector {
    final UnaryOperator<String> f;
    final List<String> redacted = new ArrayList<>();
    final List<String> scored = new ArrayList<>();

    Recorder(UnaryOperator<String> f) {
      this.f = f;
    }

    @Override
    public String redact(String text) {
      redacted.add(text);
      return f.apply(text);
    }

    @Override
    public void score(String text) {
      scored.add(text);
    }
  }

  private static Recorder walk(ObjectNode body, Api api) {
    Recorder r = new Recorder(t -> REDACT.apply(t, null).text());
    RequestTexts.Outcome outcome = RequestTexts.inspect(body, api, r);
    assertThat(outcome.problem()).isNull();
    return r;
  }

  private static ObjectNode json(String s) throws Exception {
    return (ObjectNode) JSON.readTree(s);
  }

  @Test
  void redactsEveryFieldOfAChatRequestAndScoresAllButTheSystemPrompt() throws Exception {
    ObjectNode body = json("""
        {"model":"m","user":"u a1@x.io","metadata":{"owner":"a2@x.io","a3@x.io":"k"},"stop":["a4@x.io"],
         "messages":[
          {"role":"system","content":"admin is root@corp.example"},
          {"role":"user","name":"a5@x.io","content":[{"type":"text","text":"card 4111111111111111"},
            {"type":"image_url","image_url":{"url":"data:image/png;base64,YTZAeC5pbw=="}},
            {"type":"input_audio","input_audio":{"data":"YTdAeC5pbw==","format":"wav"}}]},
          {"role":"assistant","content":null,"refusal":"no a8@x.io","tool_calls":[{"id":"c1","type":"function",
            "function":{"name":"a9@x.io","arguments":"{\\"email\\":\\"b1@x.io\\"}"}}]},
          {"role":"tool","tool_call_id":"c1","content":"found 10.1.2.3"}],
         "tools":[{"type":"function","function":{"name":"lookup","description":"mail b2@x.io",
           "parameters":{"type":"object","properties":{"b3@x.io":{"type":"string","description":"b4@x.io"}}}}}],
         "response_format":{"type":"json_schema","json_schema":{"name":"r","description":"b5@x.io",
           "schema":{"type":"object"}}},
         "prediction":{"type":"content","content":"b6@x.io"},
         "x_vendor":{"deep":["b7@x.io"]}}""");
    Recorder r = walk(body, Api.CHAT_COMPLETIONS);
    String s = body.toString();
    assertThat(s).contains("[EMAIL]", "[CREDIT_CARD]", "[IP_ADDRESS]", "\"model\":\"m\"", "base64,YTZAeC5pbw==", "YTdAeC5pbw==");
    for (String value : List.of("root@", "4111", "10.1.2.3", "a1@", "a2@", "a3@", "a4@", "a5@", "a8@", "a9@", "b1@",
        "b2@", "b3@", "b4@", "b5@", "b6@", "b7@")) {
      assertThat(s).as(value).doesNotContain(value);
    }
    assertThat(r.scored).noneMatch(t -> t.contains("root@corp")).anyMatch(t -> t.equals("a5@x.io"))
        .anyMatch(t -> t.equals("no a8@x.io")).noneMatch(t -> t.contains("a1@") || t.contains("a4@"));
    // one score for the whole tool definition: names, descriptions and parameter names together
    assertThat(r.scored).anyMatch(t -> t.contains("lookup") && t.contains("mail b2@x.io") && t.contains("b3@x.io"));
    assertThat(r.redacted).doesNotContain("m", "wav");
  }

  @Test
  void coversCompletionPromptsSuffixesAndEmbeddingsInputs() throws Exception {
    ObjectNode completion = json("{\"prompt\":[\"x a@b.io\",\"y\"],\"suffix\":\"c@d.io\"}");
    Recorder r = walk(completion, Api.COMPLETIONS);
    assertThat(completion.toString()).isEqualTo("{\"prompt\":[\"x [EMAIL]\",\"y\"],\"suffix\":\"[EMAIL]\"}");
    assertThat(r.scored).contains("c@d.io");
    ObjectNode emb = json("{\"input\":[[1,2,3]]}");
    assertThat(RequestTexts.inspect(emb, Api.EMBEDDINGS, redacting(t -> "changed")).changed()).isFalse();
  }

  @Test
  void findsEveryTextOfAResponsesRequest() throws Exception {
    ObjectNode body = json("""
        {"model":"m","instructions":"admin is root@corp.example","input":[
          {"role":"developer","content":"be brief"},
          {"type":"message","role":"user","content":[{"type":"input_text","text":"card 4111111111111111"},
            {"type":"input_image","image_url":"data:image/png;base64,AAAA"}]},
          {"type":"function_call","call_id":"c1","name":"lookup","arguments":"{\\"email\\":\\"a@b.io\\"}"},
          {"type":"function_call_output","call_id":"c1","output":"found 10.1.2.3"},
          {"type":"reasoning","id":"r1","summary":[{"type":"summary_text","text":"user gave x@y.io"}],
            "encrypted_content":"gAAAA"},
          {"type":"mcp_call","id":"m1","server_label":"crm","name":"n@m.io","arguments":"{}","output":"owner q@r.io"},
          {"type":"item_reference","id":"msg_9"}],
         "tools":[{"type":"function","name":"f","description":"t@u.io","parameters":{"properties":{}}}],
         "text":{"format":{"type":"json_schema","name":"s","description":"v@w.io","schema":{}}},
         "prompt":{"id":"pmpt_1","variables":{"customer":"c@d.io","doc":{"type":"input_text","text":"e@f.io"}}}}""");
    Recorder r = walk(body, Api.RESPONSES);
    assertThat(body.toString()).contains("[EMAIL]", "[CREDIT_CARD]", "[IP_ADDRESS]", "gAAAA", "base64,AAAA")
        .doesNotContain("root@", "4111", "a@b.io", "10.1.2.3", "x@y.io", "q@r.io", "c@d.io", "n@m.io", "t@u.io",
            "v@w.io", "e@f.io");
    assertThat(r.scored).noneMatch(t -> t.contains("root@") || t.equals("be brief"))
        .contains("found 10.1.2.3", "owner q@r.io").anyMatch(t -> t.contains("t@u.io"));
  }

  @Test
  void refusesShapesTheApiDoesNotDefineNamingTheFieldNotItsContent() throws Exception {
    assertThat(problem("{\"input\":42}", Api.RESPONSES).param()).isEqualTo("input");
    assertThat(problem("{\"input\":[\"x\"]}", Api.RESPONSES).param()).isEqualTo("input[0]");
    assertThat(problem("{\"input\":[{\"role\":\"user\",\"content\":7}]}", Api.RESPONSES).param())
        .isEqualTo("input[0].content");
    assertThat(problem("{\"input\":[{\"role\":\"boss\",\"content\":\"x\"}]}", Api.RESPONSES).param())
        .isEqualTo("input[0].role");
    assertThat(problem("{\"input\":[{\"type\":\"function_call_output\",\"output\":{\"a\":1}}]}", Api.RESPONSES)
        .param()).isEqualTo("input[0].output");
    assertThat(problem("{\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":[1]}]}]}",
        Api.RESPONSES).param()).isEqualTo("input[0].content[0].text");
    assertThat(problem("{\"instructions\":{},\"input\":\"x\"}", Api.RESPONSES).param()).isEqualTo("instructions");
    assertThat(problem("{\"input\":[{\"content\":\"a@b.io\"}]}", Api.RESPONSES).message()).doesNotContain("a@b");
    assertThat(problem("{\"messages\":[{\"role\":\"user\",\"content\":{\"text\":\"a@b.io\"}}]}",
        Api.CHAT_COMPLETIONS).param()).isEqualTo("messages[0].content");
    assertThat(problem("{\"messages\":\"hi\"}", Api.CHAT_COMPLETIONS).param()).isEqualTo("messages");
    assertThat(problem("{\"messages\":[null]}", Api.CHAT_COMPLETIONS).param()).isEqualTo("messages[0]");
    assertThat(problem("{\"messages\":[{\"role\":\"user\",\"content\":\"x\",\"name\":{\"n\":1}}]}",
        Api.CHAT_COMPLETIONS).param()).isEqualTo("messages[0].name");
    assertThat(problem("{\"tools\":[{\"function\":{\"name\":\"f\",\"description\":[\"d\"]}}]}",
        Api.CHAT_COMPLETIONS).param()).isEqualTo("tools[0].function.description");
    assertThat(problem("{\"metadata\":{\"k\":{\"v\":1}}}", Api.CHAT_COMPLETIONS).param()).isEqualTo("metadata.k");
    assertThat(problem("{\"stop\":7}", Api.CHAT_COMPLETIONS).param()).isEqualTo("stop");
    assertThat(problem("{\"prompt\":{\"text\":\"x\"}}", Api.COMPLETIONS).param()).isEqualTo("prompt");
    assertThat(problem("{\"input\":[[\"x\"]]}", Api.EMBEDDINGS).param()).isEqualTo("input[0][0]");
  }

  @Test
  void redactedKeysKeepTheirOrderAndNeverCollide() throws Exception {
    ObjectNode body = json("{\"metadata\":{\"a\":\"1\",\"x@y.io\":\"2\",\"p@q.io\":\"3\",\"z\":\"4\"}}");
    walk(body, Api.CHAT_COMPLETIONS);
    assertThat(body.get("metadata").toString())
        .isEqualTo("{\"a\":\"1\",\"[EMAIL]\":\"2\",\"[EMAIL]#2\":\"3\",\"z\":\"4\"}");
  }

  private static RequestTexts.Problem problem(String json, Api api) throws Exception {
    RequestTexts.Problem p = RequestTexts.inspect(json(json), api, redacting(t -> t)).problem();
    assertThat(p).as(json).isNotNull();
    return p;
  }

  /** A codec whose ids are the text's code points: enough to prove the walk reads, inspects and re-encodes ids. */
  static final TokenCodec CODE_POINTS = new TokenCodec() {
    @Override
    public String decode(int[] ids) {
      for (int id : ids) {
        if (!Character.isValidCodePoint(id)) {
          throw new IllegalArgumentException("no such token");
        }
      }
      return new String(ids, 0, ids.length);
    }

    @Override
    public int[] encode(String text) {
      return text.codePoints().toArray();
    }
  };

  static final class CodecRecorder extends Recorder {
    final TokenCodec codec;

    CodecRecorder(TokenCodec codec) {
      super(t -> REDACT.apply(t, null).text());
      this.codec = codec;
    }

    @Override
    public TokenCodec tokenCodec() {
      return codec;
    }
  }

  static String ids(String text) {
    return JSON.valueToTree(text.codePoints().toArray()).toString();
  }

  /** Issue 10: a prompt given as token ids is read with the model's encoding, not forwarded unread. */
  @Test
  void tokenIdPromptsAreDecodedInspectedAndEncodedAgain() throws Exception {
    ObjectNode body = json("{\"model\":\"m\",\"prompt\":" + ids("mail a1@x.io now") + "}");
    CodecRecorder r = new CodecRecorder(CODE_POINTS);
    assertThat(RequestTexts.inspect(body, Api.COMPLETIONS, r).problem()).isNull();
    assertThat(r.scored).containsExactly("mail a1@x.io now");
    assertThat(CODE_POINTS.decode(JSON.convertValue(body.get("prompt"), int[].class))).isEqualTo("mail [EMAIL] now");

    ObjectNode batch = json("{\"model\":\"m\",\"input\":[\"plain b1@x.io\"," + ids("ids b2@x.io") + ","
        + ids("nothing here") + "]}");
    assertThat(RequestTexts.inspect(batch, Api.EMBEDDINGS, new CodecRecorder(CODE_POINTS)).problem()).isNull();
    assertThat(batch.get("input").get(0).asText()).isEqualTo("plain [EMAIL]");
    assertThat(CODE_POINTS.decode(JSON.convertValue(batch.get("input").get(1), int[].class)))
        .isEqualTo("ids [EMAIL]");
    assertThat(batch.get("input").get(2).toString()).isEqualTo(ids("nothing here"));
  }

  @Test
  void tokenIdsThatCannotBeReadAreRefusedNamingTheField() throws Exception {
    ObjectNode body = json("{\"model\":\"m\",\"prompt\":[[104, 105], [104, -1]]}");
    assertThat(RequestTexts.inspect(body, Api.COMPLETIONS, new CodecRecorder(CODE_POINTS)).problem().param())
        .isEqualTo("prompt[1][1]");
    ObjectNode noCodec = json("{\"model\":\"m\",\"prompt\":[104, 105]}");
    RequestTexts.Problem problem = RequestTexts.inspect(noCodec, Api.COMPLETIONS, new CodecRecorder(null)).problem();
    assertThat(problem.param()).isEqualTo("prompt");
    assertThat(problem.message()).contains("token ids");
    ObjectNode unknownId = json("{\"model\":\"m\",\"input\":[2000000000]}");
    assertThat(RequestTexts.inspect(unknownId, Api.EMBEDDINGS, new CodecRecorder(CODE_POINTS)).problem().message())
        .contains("does not have");
    ObjectNode mixed = json("{\"model\":\"m\",\"input\":[\"a\", {\"x\": 1}]}");
    assertThat(RequestTexts.inspect(mixed, Api.EMBEDDINGS, new CodecRecorder(CODE_POINTS)).problem().param())
        .isEqualTo("input[1]");
  }

  @Test
  void aProfileThatInspectsNoInputLeavesTokenIdsUnread() throws Exception {
    ObjectNode body = json("{\"model\":\"m\",\"prompt\":" + ids("mail a1@x.io") + "}");
    String before = body.toString();
    assertThat(RequestTexts.inspect(body, Api.COMPLETIONS, new CodecRecorder(TokenCodec.UNREAD)).problem()).isNull();
    assertThat(body.toString()).isEqualTo(before);
  }
}
