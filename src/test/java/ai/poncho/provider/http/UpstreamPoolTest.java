package ai.poncho.provider.http;

import static ai.poncho.testing.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.poncho.testing.ApiClient;
import ai.poncho.testing.FakeUpstream;
import ai.poncho.testing.Metrics;
import ai.poncho.testing.TestServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * pool_size bounds the connections to one model per node (not per dispatch instance); a request that
 * finds the pool busy for pool_wait_timeout gets 503 upstream_pool_exhausted with Retry-After, is not
 * retried, and may be served by a fallback; waiting requests are poncho_upstream_pool_pending{model}.
 * With http2 the pool's connections carry many streams each.
 */
@ExtendWith(VertxExtension.class)
class UpstreamPoolTest {

  private FakeUpstream upstream;
  private TestServer server;

  private static final String HELD_FRAME = "data: " + new JsonObject().put("id", "c1").put("object",
      "chat.completion.chunk").put("created", 1).put("model", "m").put("choices", new JsonArray().add(
      new JsonObject().put("index", 0).put("delta", new JsonObject().put("role", "assistant").put("content", "hi"))
          .putNull("finish_reason"))).encode() + "\n\n";

  @BeforeEach
  void start() {
    upstream = FakeUpstream.start().always(FakeUpstream.sseThenStall(List.of(HELD_FRAME)));
    JsonObject config = TestServer.config();
    config.getJsonObject("dispatch").put("instances", 2);
    config.getJsonObject("models")
        .put("busy", upstreamModel(2, "300ms").put("max_retries", 2).put("max_tokens", 1234))
        .put("waiting", upstreamModel(1, "10s"))
        .put("busy-with-fallback", upstreamModel(1, "200ms").put("fallbacks", new JsonArray().add("mock")));
    server = TestServer.start(config);
  }

  private JsonObject upstreamModel(int poolSize, String waitTimeout) {
    return new JsonObject().put("provider", "openai_compatible").put("base_url", upstream.baseUrl() + "/v1")
        .put("pool_size", poolSize).put("pool_wait_timeout", waitTimeout).put("stream_idle_timeout", "10m");
  }

  @AfterEach
  void stop() {
    server.close();
    upstream.close();
  }

  private static String chat(String model, boolean stream) {
    return new JsonObject().put("model", model).put("stream", stream)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi"))).encode();
  }

  /** Opens a stream the upstream holds open (one chunk, then silence), keeping its connection busy. */
  private static Future<HttpClientResponse> hold(HttpClient client, String model) {
    return client.request(new RequestOptions().setMethod(HttpMethod.POST).setURI("/v1/chat/completions")
            .putHeader("content-type", "application/json"))
        .compose(request -> request.send(chat(model, true)));
  }

  private double metric(ApiClient api, String name, String... labels) {
    return Metrics.sum(api.get("/metrics").bodyAsString(), name, labels);
  }

  @Test
  void aFullPoolAnswers503UpstreamPoolExhaustedWithoutRetry(Vertx vertx) {
    HttpClient client = server.httpClient(vertx);
    List<HttpClientResponse> held = new ArrayList<>();
    // More streams than the pool holds, spread over both dispatch instances.
    for (int i = 0; i < 2; i++) {
      held.add(await(hold(client, "busy")));
    }
    assertThat(held).allSatisfy(response -> assertThat(response.statusCode()).isEqualTo(200));
    await().atMost(Duration.ofSeconds(10)).until(() -> upstream.count() == 2);
    assertThat(upstream.received().get(0).json().getInteger("max_tokens"))
        .as("the model's max_tokens is sent when the request sets none").isEqualTo(1234);

    try (ApiClient api = new ApiClient(server)) {
      HttpResponse<Buffer> refused = api.chat(new JsonObject(chat("busy", false)));
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.getHeader("retry-after")).isNotBlank();
      assertThat(refused.getHeader("x-request-id")).isNotBlank();
      JsonObject error = refused.bodyAsJsonObject().getJsonObject("error");
      assertThat(error.getString("code")).isEqualTo("upstream_pool_exhausted");
      assertThat(error.getString("message")).contains("'busy'").contains("pool_size 2");

      HttpResponse<Buffer> refusedStream = api.chat(new JsonObject(chat("busy", true)));
      assertThat(refusedStream.statusCode()).isEqualTo(503);
      assertThat(refusedStream.bodyAsJsonObject().getJsonObject("error").getString("code"))
          .isEqualTo("upstream_pool_exhausted");
    }
    assertThat(upstream.count()).as("a full pool is not retried").isEqualTo(2);
    assertThat(upstream.openedConnections()).as("pool_size is per model per node").isEqualTo(2);
    await(client.close());
  }

  @Test
  void waitingRequestsAreVisibleAndServedWhenAConnectionFrees(Vertx vertx) {
    HttpClient holder = server.httpClient(vertx);
    await(hold(holder, "waiting"));
    await().atMost(Duration.ofSeconds(10)).until(() -> upstream.count() == 1);
    HttpClient waiter = server.httpClient(vertx);
    hold(waiter, "waiting");
    try (ApiClient api = new ApiClient(server)) {
      await().atMost(Duration.ofSeconds(5)).until(() ->
          metric(api, "poncho_upstream_pool_pending", "model=\"waiting\"") == 1.0);
      assertThat(upstream.count()).isEqualTo(1);

      await(holder.close());
      await().atMost(Duration.ofSeconds(5)).until(() -> upstream.count() == 2);
      await().atMost(Duration.ofSeconds(5)).until(() ->
          metric(api, "poncho_upstream_pool_pending", "model=\"waiting\"") == 0.0);
      assertThat(upstream.openedConnections()).isLessThanOrEqualTo(2);
    }
    await(waiter.close());
  }

  @Test
  void aFallbackModelTakesTheRequestAFullPoolCannot(Vertx vertx) {
    HttpClient client = server.httpClient(vertx);
    await(hold(client, "busy-with-fallback"));
    try (ApiClient api = new ApiClient(server)) {
      HttpResponse<Buffer> served = api.chat(new JsonObject(chat("busy-with-fallback", false)));
      assertThat(served.statusCode()).isEqualTo(200);
      assertThat(served.getHeader("x-poncho-model")).isEqualTo("mock");
    }
    await(client.close());
  }

  @Test
  void http2CarriesManyStreamsOnOneConnection(Vertx vertx) {
    List<HttpVersion> versions = new CopyOnWriteArrayList<>();
    AtomicInteger connections = new AtomicInteger();
    Vertx upstreamVertx = Vertx.vertx();
    // A local OpenAI-compatible server over cleartext HTTP/2 (prior knowledge), answering after a pause
    // so that the requests overlap.
    HttpServer h2 = await(upstreamVertx.createHttpServer()
        .connectionHandler(connection -> connections.incrementAndGet())
        .requestHandler(request -> request.body().onSuccess(body -> {
          versions.add(request.version());
          upstreamVertx.setTimer(300, id -> request.response().putHeader("content-type", "application/json")
              .end(new JsonObject().put("id", "c1").put("object", "chat.completion").put("created", 1)
                  .put("model", "m").put("choices", new JsonArray().add(new JsonObject().put("index", 0)
                      .put("message", new JsonObject().put("role", "assistant").put("content", "over h2"))
                      .put("finish_reason", "stop")))
                  .put("usage", new JsonObject().put("prompt_tokens", 1).put("completion_tokens", 2)
                      .put("total_tokens", 3)).encode()));
        })).listen(0, "127.0.0.1"));
    JsonObject config = TestServer.config();
    config.getJsonObject("models").put("h2", new JsonObject().put("provider", "openai_compatible")
        .put("base_url", "http://127.0.0.1:" + h2.actualPort() + "/v1").put("http2", true).put("pool_size", 1)
        .put("pool_wait_timeout", "200ms"));
    try (TestServer h2Gateway = TestServer.start(config); ApiClient api = new ApiClient(h2Gateway)) {
      io.vertx.ext.web.client.WebClient web = h2Gateway.webClient(vertx);
      List<Future<HttpResponse<Buffer>>> calls = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        calls.add(web.post("/v1/chat/completions").sendJsonObject(new JsonObject(chat("h2", false))));
      }
      await(Future.all(calls));
      assertThat(calls).allSatisfy(call -> {
        assertThat(call.result().statusCode()).isEqualTo(200);
        assertThat(call.result().bodyAsJsonObject().getJsonArray("choices").getJsonObject(0)
            .getJsonObject("message").getString("content")).isEqualTo("over h2");
      });
      assertThat(versions).hasSize(8).containsOnly(HttpVersion.HTTP_2);
      assertThat(connections.get()).as("eight concurrent calls over one HTTP/2 connection").isEqualTo(1);
    } finally {
      await(upstreamVertx.close());
    }
  }
}
