package ai.poncho.http;

import static ai.poncho.testing.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.poncho.PonchoServer;
import ai.poncho.model.DispatchVerticle;
import ai.poncho.testing.Sse;
import ai.poncho.testing.TestServer;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Shutting a node down lets a stream in flight finish instead of cutting it. */
@ExtendWith(VertxExtension.class)
class GracefulShutdownTest {

  @Test
  void streamInFlightCompletesDuringShutdown(Vertx vertx) {
    TestServer server = TestServer.start();
    HttpClient client = server.httpClient(vertx);
    String body = new JsonObject().put("model", "mock").put("stream", true)
        .put("metadata", new JsonObject().put("mock_chunks", 20).put("mock_chunk_delay_ms", 50))
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "shutdown")))
        .encode();
    Buffer received = Buffer.buffer();
    AtomicInteger events = new AtomicInteger();
    Future<Void> ended = await(client.request(new RequestOptions().setMethod(HttpMethod.POST)
            .setURI("/v1/chat/completions").putHeader("content-type", "application/json"))
        .compose(request -> request.send(body))
        .map(r -> r.handler(chunk -> {
          received.appendBuffer(chunk);
          events.incrementAndGet();
        }).end()));
    await().atMost(Duration.ofSeconds(10)).until(() -> events.get() >= 3);

    Future<Void> closing = PonchoServer.shutdown(server.vertx());
    await(ended);
    await(closing);

    assertThat(Sse.data(received.toString())).last().isEqualTo("[DONE]");
    assertThat(Sse.json(received.toString()).stream()
        .filter(chunk -> !chunk.getJsonArray("choices").isEmpty()).count()).isEqualTo(22);
  }

  @Test
  void dispatchStoppingMidStreamEndsItWithA503ErrorEvent(Vertx vertx) {
    JsonObject config = TestServer.config();
    config.getJsonObject("http").put("shutdown_timeout", "200ms");
    config.put("cluster", new JsonObject().put("verticles", new JsonArray().add("http").add("prompt").add("metrics")));
    TestServer server = TestServer.start(config);
    try {
      String dispatch = await(server.vertx().deployVerticle(DispatchVerticle::new,
          new DeploymentOptions().setConfig(server.serverConfig().raw())));
      String body = new JsonObject().put("model", "mock").put("stream", true)
          .put("metadata", new JsonObject().put("mock_chunks", 1000).put("mock_chunk_delay_ms", 20))
          .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "x"))).encode();
      Buffer received = Buffer.buffer();
      Future<Void> ended = await(server.httpClient(vertx).request(new RequestOptions()
              .setMethod(HttpMethod.POST).setURI("/v1/chat/completions").putHeader("content-type", "application/json"))
          .compose(request -> request.send(body))
          .map(r -> r.handler(received::appendBuffer).end()));
      await().atMost(Duration.ofSeconds(10)).until(() -> Sse.data(received.toString()).size() >= 3);

      await(server.vertx().undeploy(dispatch));
      await(ended);

      var data = Sse.data(received.toString());
      assertThat(data).doesNotContain("[DONE]");
      JsonObject error = new JsonObject(data.get(data.size() - 1)).getJsonObject("error");
      assertThat(error.getString("code")).isEqualTo("shutting_down");
      assertThat(error.getString("type")).isEqualTo("service_unavailable_error");
    } finally {
      server.close();
    }
  }
}
