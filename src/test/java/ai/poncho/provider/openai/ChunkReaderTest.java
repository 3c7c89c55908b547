package ai.poncho.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.poncho.chat.ChatChunk;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The streaming reader gives the chunk that reading the parsed tree gives. */
class ChunkReaderTest {

  private static void assertSameChunk(String data) throws Exception {
    assertThat(ChunkReader.read(data)).isEqualTo(ChatChunk.fromJson(new JsonObject(data)));
  }

  @Test
  void openAiChunksReadAsTheTreeReadsThem() throws Exception {
    assertSameChunk("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
        + "\"model\":\"gpt-4o-mini\",\"system_fingerprint\":\"fp\",\"choices\":[{\"index\":0,"
        + "\"delta\":{\"role\":\"assistant\",\"content\":\"h\\u00e9 \\\"x\\\"\\n\",\"refusal\":null},"
        + "\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}");
    assertSameChunk("{\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4,"
        + "\"total_tokens\":7,\"prompt_tokens_details\":{\"cached_tokens\":2,\"audio_tokens\":0}}}");
    assertSameChunk("{\"choices\":[{\"delta\":{\"content\":\"a\",\"reasoning_content\":{\"x\":[1,2]}}},"
        + "{\"index\":3,\"finish_reason\":\"stop\",\"stop_sequence\":\"END\"}],\"created\":5}");
  }

  @Test
  void escapesNumbersAndWhitespaceReadAsTheTreeReadsThem() throws Exception {
    assertSameChunk(" {\n \"id\" : \"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00\\u4e16\" ,\t\"created\":1.7e9,"
        + "\"model\":\"h\u00e9llo \u4e16\u754c\",\"x\":[true,false,null,-0.5,1E+2,{\"y\":[]},{}],"
        + "\"choices\":[ { \"index\" : 2 , \"delta\" : { } } ] ,\"usage\":{\"prompt_tokens\":12345678901,"
        + "\"completion_tokens\":-3,\"total_tokens\":99999999999999999999}}\r\n");
    assertSameChunk("{\"i\\u0064\":\"escaped name\",\"skip\":\"a\\\"b\",\"skip2\":{\"k\\\"\":[\"x\\\\\",{}]},"
        + "\"choices\":[{\"de\\u006cta\":{\"content\":\"c\"}}]}");
  }

  @Test
  void toolCallFragmentsWithoutIndexTakeTheirPosition() throws Exception {
    ChatChunk chunk = ChunkReader.read("{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":["
        + "{\"id\":\"call_a\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"a\\\"\"}},"
        + "{\"function\":{\"arguments\":\":1}\"}}]}}]}");
    assertThat(chunk.choices().get(0).delta().toolCalls()).extracting(call -> call.index() + ":" + call.arguments())
        .containsExactly("0:{\"a\"", "1::1}");
  }

  @Test
  void errorsAndMalformedEventsAreTold() throws Exception {
    assertThat(ChunkReader.read("{\"id\":\"c\",\"error\":{\"message\":\"overloaded\"}}")).isNull();
    assertThat(ChunkReader.read("{\"id\":\"c\",\"error\":null,\"choices\":[]}")).isNotNull();
    for (String bad : new String[] {"not json", "[1]", "{\"id\":\"c\"} trailing", "{\"id\":\"c\"",
        "{\"choices\":{}}", "{\"choices\":[{\"delta\":{\"content\":5}}]}",
        "{\"id\":\"a\nb\"}", "{\"created\":01}", "{\"created\":1.}", "{\"id\":\"\\x\"}", "{\"id\":tru}",
        "{\"id\":\"a\",}", "{,}", "{\"x\":[1,]}", "", "{\"id\":\"\\u12\"}", "{\"choices\":[{\"index\":\"0\"}]}",
        "{\"skip\":\"raw\ttab\"}", "{\"skip\":[1 2]}", "{\"skip\":{\"a\" 1}}", "{\"na\tme\":1}"}) {
      assertThatThrownBy(() -> ChunkReader.read(bad)).as(bad).isInstanceOf(ChunkReader.Malformed.class);
    }
  }
}
