package ai.poncho.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.poncho.testing.FakeUpstream;
import ai.poncho.testing.TestServer;
import ai.poncho.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A cancel that arrives while the upstream has not sent its first token stops the upstream call at once. */
@ExtendWith(VertxExtension.class)
class WebSocketOpeningCancelTest {

  private static FakeUpstream upstream;
  private static TestServer server;

  @BeforeAll
  static void start() {
    upstream = FakeUpstream.start();
    JsonObject config = TestServer.config();
    config.getJsonObject("models").put("slow", new JsonObject().put("provider", "openai").put("api_key", "sk-test")
        .put("base_url", upstream.baseUrl() + "/v1").put("max_retries", 0).put("first_token_timeout", "10m")
        .put("timeout", "10m").put("circuit_breaker", new JsonObject().put("enabled", false)));
    server = TestServer.start(config);
  }

  @AfterAll
  static void stop() {
    server.close();
    upstream.close();
  }

  @Test
  void cancelWhileOpeningEndsTheGenerationAndTheUpstreamCall(Vertx vertx) {
    upstream.then(FakeUpstream.delayed(600_000, FakeUpstream.sse(List.of("data: [DONE]\n\n"))));
    int closedBefore = upstream.closedConnections();
    WsClient ws = WsClient.connect(vertx, server.port());
    ws.send(new JsonObject().put("type", "chat").put("id", "g1").put("request", new JsonObject().put("model", "slow")
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "think hard")))));
    await().atMost(Duration.ofSeconds(30)).until(() -> upstream.count() == 1);

    ws.send(new JsonObject().put("type", "cancel").put("id", "g1"));
    JsonObject done = ws.awaitEnd("g1");
    assertThat(done.getString("type")).isEqualTo("done");
    assertThat(done.getString("finish_reason")).isEqualTo("cancelled");
    // No first token for 10 minutes: only the cancel can end the upstream call.
    await().atMost(Duration.ofSeconds(10)).until(() -> upstream.closedConnections() > closedBefore);
    assertThat(ws.isClosed()).isFalse();
    ws.close();
  }
}
