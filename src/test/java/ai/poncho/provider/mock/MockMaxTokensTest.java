package ai.poncho.provider.mock;

import static org.assertj.core.api.Assertions.assertThat;

import ai.poncho.testing.ApiClient;
import ai.poncho.testing.Sse;
import ai.poncho.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A model's configured max_tokens caps what it produces when the request sets no limit. */
class MockMaxTokensTest {

  private static TestServer server;
  private static ApiClient api;

  @BeforeAll
  static void start() {
    server = TestServer.start();
    api = new ApiClient(server);
  }

  @AfterAll
  static void stop() {
    api.close();
    server.close();
  }

  private static JsonObject huge() {
    return ApiClient.request("mock", "go on").put("metadata", new JsonObject().put("mock_chunks", "100000")
        .put("mock_tokens_per_chunk", "1000"));
  }

  @Test
  void aNonStreamedReplyStopsAtTheModelsMaxTokens() {
    JsonObject response = api.chat(huge()).bodyAsJsonObject();
    assertThat(response.getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(8192);
    JsonObject choice = response.getJsonArray("choices").getJsonObject(0);
    assertThat(choice.getString("finish_reason")).isEqualTo("length");
    assertThat(choice.getJsonObject("message").getString("content").split(" ")).hasSize(8192);
  }

  @Test
  void aStreamedReplyStopsAtTheModelsMaxTokens() {
    String body = api.chat(huge().put("stream", true).put("stream_options", new JsonObject()
        .put("include_usage", true))).bodyAsString();
    List<JsonObject> chunks = Sse.json(body);
    assertThat(Sse.content(chunks).split(" ")).hasSize(8192);
    assertThat(chunks.get(chunks.size() - 1).getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(8192);
  }

  @Test
  void theRequestsOwnLimitStillWins() {
    JsonObject response = api.chat(huge().put("max_tokens", 7)).bodyAsJsonObject();
    assertThat(response.getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(7);
  }
}
