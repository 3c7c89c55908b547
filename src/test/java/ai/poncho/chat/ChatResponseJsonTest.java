package ai.poncho.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The direct writer of a non-streamed answer gives the same bytes as encoding the JSON tree. */
class ChatResponseJsonTest {

  private static final String TRICKY = "quote \" back \\ nl \n cr \r tab \t bs \b ff \f nul \u0000 us \u001f del \u007f "
      + "slash / h\u00e9llo \u4e16\u754c \uD83D\uDE00 \u2028 </script>";

  private static void assertSameBytes(ChatResponse response) {
    assertThat(response.toBuffer().getBytes()).isEqualTo(response.toJson().toBuffer().getBytes());
  }

  private static ChatResponse answer(ChatMessage message, String finishReason, Usage usage, String fingerprint) {
    return new ChatResponse("chatcmpl-1", 1700000000L, "gpt-4o-mini",
        List.of(new ChatResponse.Choice(0, message, finishReason)), usage, fingerprint);
  }

  @Test
  void textUsageAndFingerprintMatchTheEncoder() {
    assertSameBytes(answer(ChatMessage.of("assistant", "Hello!"), "stop", Usage.of(9, 12), "fp_1"));
    assertSameBytes(answer(ChatMessage.of("assistant", TRICKY), "length", Usage.of(9, 12, 4), null));
    assertSameBytes(answer(ChatMessage.of("assistant", ""), null, null, null));
    assertSameBytes(answer(ChatMessage.of(null, null), "content_filter", new Usage(0, 0, 7), TRICKY));
    assertSameBytes(new ChatResponse(null, 0L, null, List.of(), null, null));
  }

  @Test
  void toolCallsNamesStopSequencesAndSeveralChoicesMatchTheEncoder() {
    ChatMessage calls = new ChatMessage("assistant", null, null, "bot \"x\"", List.of(
        new ToolCall("call_a", "function", "get_weather", "{\"city\":\"Paris\"}"),
        new ToolCall("call_b", null, "noop", ""),
        new ToolCall(null, "custom", null, null)), null);
    assertSameBytes(answer(calls, "tool_calls", Usage.of(1, 2), null));
    assertSameBytes(new ChatResponse("c", 5L, "m", List.of(
        new ChatResponse.Choice(0, ChatMessage.of("assistant", "a"), "stop", "END\n"),
        new ChatResponse.Choice(3, new ChatMessage("tool", "b", null, null, null, "call_a"), null),
        new ChatResponse.Choice(1, ChatMessage.of("assistant", TRICKY), "stop", null)), Usage.of(1, 2, 1), "fp"));
  }

  @Test
  void contentPartsTakeTheTree() {
    ChatMessage parts = new ChatMessage("assistant", null, List.of(ContentPart.text("a"),
        ContentPart.image("https://x/y.png", "low"), ContentPart.audio("AAAA", "wav")), null, null, null);
    assertSameBytes(answer(parts, "stop", Usage.of(1, 2), null));
  }

  @Test
  void surrogatesAreEscapedAsTheUtf8EncoderDoes() {
    for (String text : List.of("emoji \uD83D\uDE00\uD83D\uDC4D", "a \uD83D b", "end \uDE00", "x\uD83D",
        "\uDE00\uD83D", "\uDBFF\uDFFF")) {
      assertSameBytes(answer(ChatMessage.of("assistant", text), "stop", null, text));
    }
  }
}
