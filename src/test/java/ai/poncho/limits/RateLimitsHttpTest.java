package ai.poncho.limits;

import static org.assertj.core.api.Assertions.assertThat;

import ai.poncho.testing.ApiClient;
import ai.poncho.testing.Sse;
import ai.poncho.testing.TestServer;
import ai.poncho.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Limits at the HTTP edge and on the WebSocket API, on the embedded (in-memory) limiter. */
class RateLimitsHttpTest {

  private static final List<String> HEADERS = List.of("x-ratelimit-limit-requests", "x-ratelimit-remaining-requests",
      "x-ratelimit-reset-requests", "x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens",
      "x-ratelimit-reset-tokens");

  private final Vertx vertx = Vertx.vertx();
  private TestServer server;
  private ApiClient client;

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.close();
    }
    TestServer.await(vertx.close());
  }

  private void start(JsonObject limits, JsonObject modelLimits) {
    JsonObject config = TestServer.config().put("limits", limits);
    if (modelLimits != null) {
      config.getJsonObject("models").getJsonObject("mock").put("limits", modelLimits);
    }
    server = TestServer.start(config);
    client = new ApiClient(server);
  }

  private static JsonObject defaults(String key, int value) {
    return new JsonObject().put("default", new JsonObject().put(key, value));
  }

  @Test
  void overTheRequestLimitIs429WithRetryAfterAndTheOpenAiHeaders() {
    start(defaults("rpm", 3), null);
    for (int i = 0; i < 3; i++) {
      HttpResponse<Buffer> ok = client.chat(ApiClient.request("mock", "hello " + i));
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(HEADERS).allSatisfy(header -> assertThat(ok.getHeader(header)).as(header).isNotNull());
      assertThat(ok.getHeader("x-ratelimit-limit-requests")).isEqualTo("3");
      assertThat(ok.getHeader("x-ratelimit-remaining-requests")).isEqualTo(Integer.toString(2 - i));
      assertThat(ok.getHeader("x-ratelimit-reset-requests")).matches("\\d+(\\.\\d+)?s|\\d+ms|1m0s");
    }
    HttpResponse<Buffer> limited = client.chat(ApiClient.request("mock", "one too many"));
    assertThat(limited.statusCode()).isEqualTo(429);
    JsonObject error = limited.bodyAsJsonObject().getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("rate_limit_exceeded");
    assertThat(error.getString("type")).isEqualTo("rate_limit_error");
    assertThat(error.getString("message")).contains("requests per minute").contains("limit 3");
    assertThat(Integer.parseInt(limited.getHeader("retry-after"))).isBetween(1, 60);
    assertThat(HEADERS).allSatisfy(header -> assertThat(limited.getHeader(header)).as(header).isNotNull());
    assertThat(limited.getHeader("x-ratelimit-remaining-requests")).isEqualTo("0");

    // Other routes are not model calls: not counted, not limited, no limit headers.
    HttpResponse<Buffer> models = client.get("/v1/models");
    assertThat(models.statusCode()).isEqualTo(200);
    assertThat(models.getHeader("x-ratelimit-limit-requests")).isNull();
    assertThat(client.get("/v1/nothing-here").statusCode()).isEqualTo(404);
  }

  @Test
  void theTightestLimitWins() {
    start(defaults("rpm", 100), new JsonObject().put("rpm", 2));
    assertThat(client.chat(ApiClient.request("mock", "a")).getHeader("x-ratelimit-limit-requests")).isEqualTo("2");
    assertThat(client.chat(ApiClient.request("mock", "b")).statusCode()).isEqualTo(200);
    HttpResponse<Buffer> limited = client.chat(ApiClient.request("mock", "c"));
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("model mock");
  }

  @Test
  void streamedCompletionsCountTheirReportedTokensAgainstTokensPerMinute() {
    start(defaults("tpm", 60), null);
    WebClient web = server.webClient(vertx);
    int used = 0;
    int accepted = 0;
    HttpResponse<Buffer> last = null;
    for (int i = 0; i < 20; i++) {
      last = TestServer.await(web.post("/v1/chat/completions").sendJsonObject(ApiClient.request("mock",
          "count these words please " + i).put("stream", true)
          .put("stream_options", new JsonObject().put("include_usage", true))));
      if (last.statusCode() != 200) {
        break;
      }
      accepted++;
      List<JsonObject> chunks = Sse.json(last.bodyAsString());
      JsonObject usage = chunks.get(chunks.size() - 1).getJsonObject("usage");
      used += usage.getInteger("total_tokens");
      assertThat(usage.getString("cost_usd")).isEqualTo("0");
    }
    assertThat(last.statusCode()).isEqualTo(429);
    assertThat(accepted).isBetween(2, 10);
    // Admitted while the window held less than the limit; the next call would have gone over it.
    assertThat(used).isGreaterThanOrEqualTo(60 - 30);
    JsonObject error = last.bodyAsJsonObject().getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("rate_limit_exceeded");
    assertThat(error.getString("message")).contains("tokens per minute").contains("used " + used);
    assertThat(last.getHeader("x-ratelimit-limit-tokens")).isEqualTo("60");
    assertThat(Integer.parseInt(last.getHeader("x-ratelimit-remaining-tokens"))).isEqualTo(Math.max(0, 60 - used));
  }

  @Test
  void callsInFlightAreCappedAndFreedWhenTheyEnd() {
    start(defaults("max_parallel", 1), null);
    WebClient web = server.webClient(vertx);
    var slow = web.post("/v1/chat/completions").sendJsonObject(ApiClient.request("mock", "a slow stream of words")
        .put("stream", true).put("metadata", new JsonObject().put("mock_chunk_delay_ms", "150")));
    Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() ->
        client.chat(ApiClient.request("mock", "meanwhile")).statusCode() == 429);
    assertThat(TestServer.await(slow).statusCode()).isEqualTo(200);
    Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() ->
        client.chat(ApiClient.request("mock", "after")).statusCode() == 200);
  }

  @Test
  void aLimitedWebSocketGenerationGetsAnErrorFrameAndTheSocketStaysOpen() {
    start(defaults("rpm", 1), null);
    WsClient ws = WsClient.connect(vertx, server.port());
    ws.send(WsClient.chat("first", "hello", null));
    assertThat(ws.awaitEnd("first").getString("type")).isEqualTo("done");
    ws.send(WsClient.chat("second", "hello again", null));
    JsonObject refused = ws.awaitEnd("second");
    assertThat(refused.getString("type")).isEqualTo("error");
    assertThat(refused.getJsonObject("error").getString("code")).isEqualTo("rate_limit_exceeded");
    ws.roundTrip();
    assertThat(ws.isClosed()).isFalse();
    ws.close();
  }

  @Test
  void withoutLimitsNoHeadersAreSent() {
    start(new JsonObject(), null);
    HttpResponse<Buffer> ok = client.chat(ApiClient.request("mock", "free"));
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.getHeader("x-ratelimit-limit-requests")).isNull();
    assertThat(ok.getHeader("x-poncho-cost-usd")).isEqualTo("0");
  }
}
