package ai.poncho.usage;

import static org.assertj.core.api.Assertions.assertThat;

import ai.poncho.testing.ApiClient;
import ai.poncho.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** A stream the client leaves counts what it produced: its prompt and the tokens sent before the cancel. */
class CancelledStreamUsageTest {

  @Test
  void aCancelledStreamIsRecordedWithTheTokensItProduced() {
    Vertx vertx = Vertx.vertx();
    JsonObject config = TestServer.config().put("limits", new JsonObject().put("default",
        new JsonObject().put("tpm", 1_000_000)));
    try (TestServer server = TestServer.start(config)) {
      HttpClient client = server.httpClient(vertx);
      String body = ApiClient.request("mock", "tell me a long story about the sea").put("stream", true)
          .put("metadata", new JsonObject().put("mock_chunks", "200").put("mock_chunk_delay_ms", "20")).encode();
      HttpClientRequest request = TestServer.await(client.request(new RequestOptions().setMethod(HttpMethod.POST)
          .setURI("/v1/chat/completions").putHeader("content-type", "application/json")));
      HttpClientResponse response = TestServer.await(request.send(body));
      AtomicInteger received = new AtomicInteger();
      response.handler(buffer -> received.incrementAndGet());
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> received.get() >= 5);
      TestServer.await(request.connection().close());

      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> records(server, vertx).size() == 1);
      JsonObject record = records(server, vertx).getJsonObject(0);
      assertThat(record.getInteger("status")).isEqualTo(499);
      assertThat(record.getBoolean("stream")).isTrue();
      assertThat(record.getInteger("prompt_tokens")).isPositive();
      assertThat(record.getInteger("completion_tokens")).isBetween(3, 199);

      // The produced tokens count against tpm too: the window holds them after the hold was dropped.
      int counted = record.getInteger("prompt_tokens") + record.getInteger("completion_tokens");
      int remaining = Integer.parseInt(new ApiClient(server).chat(ApiClient.request("mock", "x"))
          .getHeader("x-ratelimit-remaining-tokens"));
      assertThat(1_000_000 - remaining).isGreaterThanOrEqualTo(counted);
    } finally {
      TestServer.await(vertx.close());
    }
  }

  private static JsonArray records(TestServer server, Vertx vertx) {
    return TestServer.await(server.webClient(vertx).get("/api/v1/usage/records").send()).bodyAsJsonObject()
        .getJsonArray("data");
  }
}
