package ai.poncho.provider.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseParserTest {

  private final List<String> events = new ArrayList<>();
  private final SseParser parser = new SseParser((event, data) -> events.add(event + "|" + data));

  @Test
  void eventsSplitAnywhereIncludingInsideUtf8AndCrlfAreReassembled() {
    byte[] bytes = ("event: content_block_delta\r\ndata: {\"text\":\"h\u00e9llo \u4e16\u754c\"}\r\n\r\n"
        + ": comment\r\ndata: second\r\r").getBytes(StandardCharsets.UTF_8);
    for (byte b : bytes) {
      parser.feed(Buffer.buffer(new byte[] {b}));
    }
    assertThat(events).containsExactly("content_block_delta|{\"text\":\"h\u00e9llo \u4e16\u754c\"}", "message|second");
  }

  @Test
  void multiLineDataIsJoinedAndUnknownFieldsIgnored() {
    parser.feed(Buffer.buffer("id: 7\nretry: 100\nnonsense\ndata:first\ndata: second\n\n\n\ndata: [DONE]"));
    parser.finish();
    assertThat(events).containsExactly("message|first\nsecond", "message|[DONE]");
  }
}
