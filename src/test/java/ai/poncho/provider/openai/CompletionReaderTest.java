package ai.poncho.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;

import ai.poncho.chat.ChatResponse;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The tree-less reader gives what the tree reader gives, and leaves every unusual body to it. */
class CompletionReaderTest {

  private static final String USUAL = """
      {"id":"chatcmpl-9","object":"chat.completion","created":1733000000,"model":"gpt-4o-mini-2024-07-18",
       "choices":[{"index":0,"message":{"role":"assistant","content":"Hi \\"there\\" \\u00e9\\ud83d\\ude00\\n",
       "refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],
       "usage":{"prompt_tokens":9,"completion_tokens":12,"total_tokens":21,
       "prompt_tokens_details":{"cached_tokens":4,"audio_tokens":0},
       "completion_tokens_details":{"reasoning_tokens":0}},
       "service_tier":"default","system_fingerprint":"fp_1"}""";

  private static void assertSame(String body) {
    ChatResponse read = CompletionReader.read(Buffer.buffer(body));
    assertThat(read).as(body).isNotNull().isEqualTo(ChatResponse.fromJson(new JsonObject(body)));
  }

  private static void assertLeftToTheTree(String body) {
    assertThat(CompletionReader.read(Buffer.buffer(body))).as(body).isNull();
  }

  @Test
  void usualBodiesReadAsTheTreeReads() {
    assertSame(USUAL);
    assertSame("""
        {"choices":[{"message":{"role":"assistant","content":null,"tool_calls":[
          {"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}},
          {"id":"call_2","function":{"name":"noop"}},{"type":"custom","extra":{"a":[1,2]}}]},
          "finish_reason":"tool_calls"}],"usage":{"prompt_tokens":5}}""");
    assertSame("""
        {"id":null,"model":null,"created":0,"choices":[],"usage":null,"system_fingerprint":null}""");
    assertSame("""
        {"choices":[{"index":2,"finish_reason":null,"stop_sequence":"END"},
          {"message":{"content":"b","name":"n","tool_call_id":"t","tool_calls":null}},
          {"index":1,"message":{"role":"tool","content":""},"finish_reason":"length"}],
         "usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":99,"prompt_tokens_details":null}}""");
    assertSame("""
        {"choices":[{"message":{"content":"x","tool_calls":[]}}],"created":17330000000000,
         "usage":{"completion_tokens":3,"prompt_tokens_details":{}}}""");
  }

  @Test
  void unusualBodiesAreLeftToTheTree() {
    for (String body : List.of("", "not json", "[]", "{}", "{\"choices\":null}", "{\"choices\":{}}",
        USUAL + " trailing", USUAL + "{}", "{\"choices\":[]", "{\"choices\":[null]}", "{\"choices\":[1]}",
        "{\"id\":1,\"choices\":[]}", "{\"created\":null,\"choices\":[]}", "{\"created\":1.5,\"choices\":[]}",
        "{\"created\":\"1\",\"choices\":[]}", "{\"created\":123456789012345678901234,\"choices\":[]}",
        "{\"choices\":[],\"choices\":[]}", "{\"id\":\"a\",\"id\":\"b\",\"choices\":[]}",
        "{\"choices\":[{\"index\":null}]}", "{\"choices\":[{\"index\":4294967296}]}",
        "{\"choices\":[{\"message\":null}]}", "{\"choices\":[{\"message\":{\"role\":null}}]}",
        "{\"choices\":[{\"message\":{\"content\":[{\"type\":\"text\",\"text\":\"a\"}]}}]}",
        "{\"choices\":[{\"message\":{\"content\":7}}]}", "{\"choices\":[{\"finish_reason\":1}]}",
        "{\"choices\":[{\"message\":{\"tool_calls\":{}}}]}", "{\"choices\":[{\"message\":{\"tool_calls\":[null]}}]}",
        "{\"choices\":[{\"message\":{\"tool_calls\":[{\"type\":null}]}}]}",
        "{\"choices\":[{\"message\":{\"tool_calls\":[{\"function\":null}]}}]}",
        "{\"choices\":[{\"message\":{\"tool_calls\":[{\"function\":{\"arguments\":null}}]}}]}",
        "{\"choices\":[],\"usage\":[]}", "{\"choices\":[],\"usage\":{\"prompt_tokens\":null}}",
        "{\"choices\":[],\"usage\":{\"prompt_tokens\":1.0}}", "{\"choices\":[],\"usage\":{\"total_tokens\":\"3\"}}",
        "{\"choices\":[],\"usage\":{\"prompt_tokens_details\":{\"cached_tokens\":\"1\"}}}",
        "{\"choices\":[],\"usage\":{\"prompt_tokens_details\":5}}")) {
      assertLeftToTheTree(body);
    }
  }
}
