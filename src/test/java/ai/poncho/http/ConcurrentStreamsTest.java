package ai.poncho.http;

import static org.assertj.core.api.Assertions.assertThat;

import ai.poncho.testing.Sse;
import ai.poncho.testing.TestServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class ConcurrentStreamsTest {

  private static final int STREAMS = 200;
  private static TestServer server;

  @BeforeAll
  static void startServer() {
    JsonObject config = TestServer.config();
    config.getJsonObject("http").put("instances", 2);
    config.getJsonObject("dispatch").put("instances", 2);
    server = TestServer.start(config);
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @Test
  void twoHundredConcurrentStreamsEachGetTheirOwnCompleteAnswer(Vertx vertx, VertxTestContext ctx) {
    WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(server.port()), new PoolOptions().setHttp1MaxSize(STREAMS));
    List<Future<Void>> all = new ArrayList<>();
    for (int i = 0; i < STREAMS; i++) {
      String text = "stream number " + i;
      JsonObject request = new JsonObject().put("model", "mock").put("stream", true)
          .put("stream_options", new JsonObject().put("include_usage", true))
          .put("metadata", new JsonObject().put("mock_chunk_delay_ms", 2).put("mock_chunks", 20))
          .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", text)));
      all.add(client.post("/v1/chat/completions").sendJsonObject(request).map(response -> {
        ctx.verify(() -> {
          assertThat(response.statusCode()).isEqualTo(200);
          List<JsonObject> chunks = Sse.json(response.bodyAsString());
          assertThat(Sse.data(response.bodyAsString())).last().isEqualTo("[DONE]");
          String expected = String.join(" ", List.of("Mock", "reply", "to:", "stream", "number",
              Integer.toString(Integer.parseInt(text.substring(14)))));
          assertThat(Sse.content(chunks)).startsWith(expected);
          assertThat(chunks.get(chunks.size() - 1).getJsonObject("usage").getInteger("completion_tokens"))
              .isEqualTo(20);
          assertThat(chunks.stream().map(c -> c.getString("id")).distinct()).hasSize(1);
        });
        return null;
      }));
    }
    Future.all(all).onComplete(ctx.succeedingThenComplete());
  }
}
