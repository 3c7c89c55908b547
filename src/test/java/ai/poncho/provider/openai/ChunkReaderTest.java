package ai.poncho.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.poncho.chat.ChatChunk;
import ai.poncho.provider.http.SseParser;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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

  /** Events as upstreams send them, with what makes a byte-level reader go wrong: escapes, UTF-8, tool calls, usage. */
  private static final String[] EVENTS = {
      "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"gpt-4o-mini\","
          + "\"system_fingerprint\":\"fp\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\","
          + "\"refusal\":null},\"logprobs\":null,\"finish_reason\":null}]}",
      "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
          + "\"delta\":{\"content\":\"line\\nnext \\\"quoted\\\" back\\\\slash \\/ \\t\\u0001 \\u00e9\\uD83D\\uDE00 "
          + "h\u00e9llo \u4e16\u754c \uD83D\uDE00\"},\"logprobs\":null,\"finish_reason\":null}]}",
      "{\"id\":\"c\",\"created\":1,\"model\":\"m\\\"odel\u00e9\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":"
          + "[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_w\u00e9ather\","
          + "\"arguments\":\"{\\\"city\\\": \\\"Z\u00fcrich\\\"}\"}}]},\"finish_reason\":null}]}",
      "{\"id\":\"c\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}",
      "{\"id\":\"c\",\"created\":1,\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":25,\"completion_tokens\":20,"
          + "\"total_tokens\":45,\"prompt_tokens_details\":{\"cached_tokens\":0},\"completion_tokens_details\":"
          + "{\"reasoning_tokens\":3}}}",
      "{\"id\":\"c\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"},"
          + "\"finish_reason\":\"stop\",\"stop_sequence\":\"\\n\\n\"}],\"usage\":{\"prompt_tokens\":1,"
          + "\"completion_tokens\":1,\"total_tokens\":2}}",
      " { \"\u00e9\" : [ \"\u4e16\" , -12.5e-3 ] , \"id\" : \"a\" , \"created\" : -0 , \"choices\" : [ ] }\t",
  };

  private static String viaTree(String data, boolean includeUsage) {
    return ChatChunk.fromJson(new JsonObject(data)).toJson(includeUsage).encode();
  }

  private static String viaBytes(byte[] bytes, int from, int to, boolean includeUsage) throws Exception {
    StringBuilder out = new StringBuilder();
    ChunkReader.read(bytes, from, to).writeJson(out, includeUsage);
    return out.toString();
  }

  @Test
  void eventBytesAnywhereInABufferGiveTheTreePathsJsonByteForByte() throws Exception {
    for (String event : EVENTS) {
      byte[] utf8 = event.getBytes(StandardCharsets.UTF_8);
      byte[] padded = new byte[utf8.length + 10];
      java.util.Arrays.fill(padded, (byte) '}');
      System.arraycopy(utf8, 0, padded, 5, utf8.length);
      for (boolean includeUsage : new boolean[] {false, true}) {
        assertThat(viaBytes(padded, 5, 5 + utf8.length, includeUsage)).as(event).isEqualTo(viaTree(event, includeUsage));
      }
      assertSameChunk(event);
    }
  }

  @Test
  void eventsSplitAcrossReadsGiveTheSameChunksAsWhole() throws Exception {
    StringBuilder stream = new StringBuilder();
    for (String event : EVENTS) {
      stream.append("data: ").append(event).append("\n\n");
    }
    byte[] bytes = stream.toString().getBytes(StandardCharsets.UTF_8);
    List<String> expected = new ArrayList<>();
    for (String event : EVENTS) {
      expected.add(viaTree(event, true));
    }
    for (int split = 1; split < bytes.length; split++) {
      List<String> got = new ArrayList<>();
      SseParser parser = new SseParser((SseParser.RawListener) (type, data, from, to) -> {
        try {
          got.add(viaBytes(data, from, to, true));
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      });
      parser.feed(Buffer.buffer(java.util.Arrays.copyOfRange(bytes, 0, split)));
      parser.feed(Buffer.buffer(java.util.Arrays.copyOfRange(bytes, split, bytes.length)));
      assertThat(got).as("split at %d", split).isEqualTo(expected);
    }
  }

  @Test
  void malformedUtf8IsReadAsDecodingTheWholeEventReadsIt() throws Exception {
    byte[][] events = {
        bytes("{\"id\":\"a", 0xE4, 0xB8, "\",\"choices\":[{\"delta\":{\"content\":\"x", 0xFF, "y", 0xC3, "\"}}]}"),
        bytes("{\"id\":\"a\\n", 0xF0, 0x9F, "\",\"model\":\"", 0x80, 0x80, "\\t\",\"choices\":[]}"),
        bytes("{\"na", 0xE9, "me\":1,\"choices\":[]}"),
    };
    for (byte[] event : events) {
      String decoded = new String(event, StandardCharsets.UTF_8);
      assertThat(ChunkReader.read(event, 0, event.length)).isEqualTo(ChatChunk.fromJson(new JsonObject(decoded)));
    }
    for (byte[] bad : new byte[][] {bytes("{\"id\":", 0xE9, "}"), bytes("{", 0xC3, 0xA9, ":1}"),
        bytes("{\"id\":\"\\", 0xC3, 0xA9, "\"}")}) {
      assertThatThrownBy(() -> ChunkReader.read(bad, 0, bad.length)).isInstanceOf(ChunkReader.Malformed.class);
    }
  }

  @Test
  void anEventCutShortIsMalformedEvenWhenTheArrayGoesOn() {
    byte[] bytes = "{\"id\":\"abc\",\"choices\":[]}".getBytes(StandardCharsets.UTF_8);
    for (int to = 0; to < bytes.length; to++) {
      int cut = to;
      assertThatThrownBy(() -> ChunkReader.read(bytes, 0, cut)).as("cut at %d", cut)
          .isInstanceOf(ChunkReader.Malformed.class);
    }
  }

  private static byte[] bytes(Object... parts) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (Object part : parts) {
      if (part instanceof Integer b) {
        out.write(b);
      } else {
        out.writeBytes(((String) part).getBytes(StandardCharsets.UTF_8));
      }
    }
    return out.toByteArray();
  }
}
