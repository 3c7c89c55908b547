package ai.poncho.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.poncho.chat.Ids;
import ai.poncho.testing.ApiClient;
import ai.poncho.testing.Metrics;
import ai.poncho.testing.OwnRedis;
import ai.poncho.testing.TestServer;
import ai.poncho.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Gauges of what is open right now, read from /metrics while real clients hold streams and sockets open:
 * SSE streams, WebSocket sockets and generations (whose overhead is recorded as a stream's); and
 * poncho_redis_up following a real redis-server.
 */
class InFlightMetricsTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  /** Long enough to be in flight while the test looks (20 s); the test ends it by leaving. */
  private static final JsonObject SLOW = new JsonObject().put("mock_chunks", "1000").put("mock_chunk_delay_ms", "20");

  private static double gauge(ApiClient api, String name) {
    return Metrics.sum(api.get("/metrics").bodyAsString(), name);
  }

  @Test
  void streamsSocketsAndGenerationsInFlightRiseAndFall() {
    Vertx clientVertx = Vertx.vertx();
    try (TestServer server = TestServer.start(); ApiClient api = new ApiClient(server)) {
      HttpClient http = server.httpClient(clientVertx);
      HttpClientResponse response = TestServer.await(http.request(new RequestOptions().setMethod(HttpMethod.POST)
              .setURI("/v1/chat/completions").putHeader("content-type", "application/json"))
          .compose(request -> request.send(ApiClient.request("mock", "stay a while").put("stream", true)
              .put("metadata", SLOW).encode())));
      assertThat(response.statusCode()).isEqualTo(200);
      // This client leaves mid-stream on purpose: the closed connection is expected, not an error to log.
      response.exceptionHandler(closed -> { });
      await().atMost(WAIT).until(() -> gauge(api, "poncho_http_streams_in_flight") == 1);
      TestServer.await(response.request().connection().close());
      await().atMost(WAIT).until(() -> gauge(api, "poncho_http_streams_in_flight") == 0);

      WsClient ws = WsClient.connect(clientVertx, server.port());
      await().atMost(WAIT).until(() -> gauge(api, "poncho_ws_connections") == 1);
      ws.send(WsClient.chat("g1", "stay a while", SLOW));
      ws.awaitFrame("chunk", "g1", 1);
      assertThat(gauge(api, "poncho_ws_generations_in_flight")).isEqualTo(1);
      // The SSE stream's overhead and this generation's, recorded as its first chunk frame went out.
      await().atMost(WAIT).until(() -> Metrics.sum(api.get("/metrics").bodyAsString(),
          "poncho_gateway_overhead_seconds_count", "stream=\"true\"", "source=\"upstream\"") == 2);
      ws.send(new JsonObject().put("type", "cancel").put("id", "g1"));
      ws.awaitEnd("g1");
      assertThat(gauge(api, "poncho_ws_generations_in_flight")).isZero();
      ws.send(WsClient.chat("g2", "stay a while", SLOW));
      ws.awaitFrame("chunk", "g2", 1);
      ws.close();
      await().atMost(WAIT).until(() -> gauge(api, "poncho_ws_connections") == 0
          && gauge(api, "poncho_ws_generations_in_flight") == 0);
    } finally {
      TestServer.await(clientVertx.close());
    }
  }

  @Test
  void redisUpFollowsTheStateBackend() {
    try (OwnRedis redis = OwnRedis.start()) {
      JsonObject config = TestServer.config().put("state", new JsonObject().put("backend", "redis")
          .put("redis", new JsonObject().put("url", redis.url()).put("timeout", "500ms")
              .put("prefix", Ids.random("poncho-test:") + ":")));
      config.getJsonObject("metrics").put("redis_ping_interval", "100ms");
      try (TestServer server = TestServer.start(config); ApiClient api = new ApiClient(server)) {
        await().atMost(WAIT).until(() -> gauge(api, "poncho_redis_up") == 1);
        redis.kill();
        await().atMost(WAIT).until(() -> gauge(api, "poncho_redis_up") == 0);
      }
    }
  }

  @Test
  void withoutRedisThereIsNoRedisGauge() {
    try (TestServer server = TestServer.start(); ApiClient api = new ApiClient(server)) {
      assertThat(api.get("/metrics").bodyAsString()).doesNotContain("poncho_redis_up");
    }
  }
}
