package ai.poncho.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The direct writer of the SSE hot path gives the same text as encoding the JSON tree. */
class ChatChunkJsonTest {

  private static String written(ChatChunk chunk, boolean includeUsage) {
    StringBuilder out = new StringBuilder();
    chunk.writeJson(out, includeUsage);
    return out.toString();
  }

  private static void assertSameText(ChatChunk chunk) {
    assertThat(written(chunk, true)).isEqualTo(chunk.toJson(true).encode());
    assertThat(written(chunk, false)).isEqualTo(chunk.toJson(false).encode());
  }

  @Test
  void contentRoleFinishAndEscapesMatchTheEncoder() {
    assertSameText(ChatChunk.delta("chatcmpl-1", 1700000000L, "gpt-4o-mini",
        new ChatChunk.Delta("assistant", "", null), null));
    assertSameText(ChatChunk.delta("chatcmpl-1", 1L, "m",
        new ChatChunk.Delta(null, "quote \" back \\ nl \n cr \r tab \t bs \b ff \f nul \u0000 us \u001f "
            + "slash / h\u00e9llo \u4e16\u754c \uD83D\uDE00 \u2028", null), "stop"));
    assertSameText(new ChatChunk(null, 0L, null, List.of(new ChatChunk.Choice(1,
        new ChatChunk.Delta(null, null, null), "length", "END")), null));
  }

  @Test
  void toolCallsUsageAndSeveralChoicesMatchTheEncoder() {
    assertSameText(ChatChunk.delta("c", 2L, "m", new ChatChunk.Delta(null, null, List.of(
        new ToolCallDelta(0, "call_a", "function", "get_weather", "{\"city\""),
        new ToolCallDelta(1, null, null, null, ":\"Paris\"}"),
        new ToolCallDelta(2, null, null, "only_name", null),
        new ToolCallDelta(3, null, null, null, null))), null));
    assertSameText(ChatChunk.usageOnly("c", 3L, "m", Usage.of(10, 20)));
    assertSameText(ChatChunk.usageOnly("c", 3L, "m", Usage.of(10, 20, 4)));
    assertSameText(new ChatChunk("c", 4L, "m", List.of(
        new ChatChunk.Choice(0, new ChatChunk.Delta(null, "a", null), null),
        new ChatChunk.Choice(1, new ChatChunk.Delta(null, "b", null), "stop")), Usage.of(1, 2)));
  }
}
