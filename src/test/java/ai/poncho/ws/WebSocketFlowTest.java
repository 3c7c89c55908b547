package ai.poncho.ws;

import static ai.poncho.testing.WsClient.chat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.poncho.testing.Metrics;
import ai.poncho.testing.TestServer;
import ai.poncho.testing.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import io.vertx.junit5.VertxExtension;

/**
 * Flow control over the socket: cancel and close stop the upstream (seen in the mock model's metrics),
 * a paused reader pauses the upstream, and a thousand sockets stream at once. Each test uses its own
 * mock model so that its metrics are its own.
 */
@ExtendWith(VertxExtension.class)
class WebSocketFlowTest {

  private static TestServer server;

  @BeforeAll
  static void startServer() {
    JsonObject config = TestServer.config();
    for (String model : List.of("cancelled", "closed", "slow")) {
      // Long replies: the model's max_tokens caps every answer.
      config.getJsonObject("models").put(model, new JsonObject().put("provider", "mock")
          .put("max_tokens", 10_000_000));
    }
    server = TestServer.start(config);
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  private static double metric(Vertx vertx, String name, String model) {
    WebClient client = server.webClient(vertx);
    String scrape = TestServer.await(client.get("/metrics").send()).bodyAsString();
    client.close();
    return Metrics.sum(scrape, name, "model=\"" + model + "\"");
  }

  private static JsonObject longStream() {
    return new JsonObject().put("mock_chunks", "1000").put("mock_chunk_delay_ms", "20");
  }

  @Test
  void cancelStopsTheUpstreamAndEndsTheGenerationAsCancelled(Vertx vertx) {
    WsClient ws = WsClient.connect(vertx, server.port());
    ws.send(chat("long", "cancelled", "go on and on", longStream()));
    ws.send(chat("short", "cancelled", "just this", new JsonObject().put("mock_chunk_delay_ms", "20")));
    ws.awaitFrame("chunk", "long", 3);
    ws.send(new JsonObject().put("type", "cancel").put("id", "long"));
    JsonObject done = ws.awaitEnd("long");
    assertThat(done.getString("type")).isEqualTo("done");
    assertThat(done.getString("finish_reason")).isEqualTo("cancelled");
    assertThat(done.getString("model")).isEqualTo("cancelled");
    await().atMost(Duration.ofSeconds(60))
        .until(() -> metric(vertx, "poncho_mock_streams_cancelled_total", "cancelled") == 1.0);
    assertThat(ws.awaitEnd("short").getString("finish_reason")).isEqualTo("stop");
    assertThat(ws.content("short")).isEqualTo("Mock reply to: just this");

    ws.roundTrip();
    List<JsonObject> frames = ws.frames("long");
    assertThat(frames.get(frames.size() - 1)).as("nothing after the done frame").isEqualTo(done);
    assertThat(metric(vertx, "poncho_mock_chunks_produced_total", "cancelled")).isLessThan(1000 + 3);
    ws.close();
  }

  @Test
  void closingTheSocketCancelsEverythingInFlightOnIt(Vertx vertx) {
    WsClient ws = WsClient.connect(vertx, server.port());
    for (String id : List.of("one", "two", "three")) {
      ws.send(chat(id, "closed", "keep talking " + id, longStream()));
    }
    for (String id : List.of("one", "two", "three")) {
      ws.awaitFrame("chunk", id, 2);
    }
    ws.close();
    await().atMost(Duration.ofSeconds(60))
        .until(() -> metric(vertx, "poncho_mock_streams_cancelled_total", "closed") == 3.0);
  }

  @Test
  void pausedReaderPausesTheUpstreamAndLosesNothingOnResume(Vertx vertx) {
    int total = 2000;
    String text = String.join(" ", Collections.nCopies(40, "abcdefghij"));
    // A small receive buffer keeps the kernel from soaking up the stream on the client side.
    WsClient ws = WsClient.connect(vertx, new WebSocketClientOptions().setReceiveBufferSize(16 * 1024),
        server.port());
    ws.pauseOnFrame("chunk", "big", 2);
    ws.send(chat("big", "slow", text, new JsonObject().put("mock_chunks", String.valueOf(total))
        .put("mock_tokens_per_chunk", "1000")));
    ws.awaitFrame("chunk", "big", 2);

    AtomicLong previous = new AtomicLong(-1);
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(1500)).until(() -> {
      long now = (long) metric(vertx, "poncho_mock_chunks_produced_total", "slow");
      return now == previous.getAndSet(now);
    });
    long plateau = previous.get();
    assertThat(plateau).as("upstream paused well before the end of the stream").isPositive()
        .isLessThan(total / 2);
    assertThat(ws.frames("big")).hasSizeLessThan(total);

    ws.socket().resume();
    JsonObject done = ws.awaitEnd("big");
    assertThat(done.getString("finish_reason")).isEqualTo("stop");
    long contentChunks = ws.frames("big").stream()
        .filter(f -> "chunk".equals(f.getString("type")) && !f.getJsonObject("delta").containsKey("role")).count();
    assertThat(contentChunks).as("every chunk arrives after the pause").isEqualTo(total);
    assertThat(metric(vertx, "poncho_mock_chunks_produced_total", "slow")).isEqualTo(total);
    ws.close();
  }

  @Test
  void aThousandConcurrentSocketsEachStream(Vertx vertx) {
    int sockets = 1000;
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(sockets)
        .setConnectTimeout(120_000));
    List<Future<String>> results = new ArrayList<>();
    for (int i = 0; i < sockets; i++) {
      String id = "s" + i;
      Promise<String> result = Promise.promise();
      results.add(result.future());
      client.connect(WsClient.options(server.port())).onFailure(result::fail).onSuccess(ws -> {
        StringBuilder content = new StringBuilder();
        ws.textMessageHandler(text -> {
          JsonObject frame = new JsonObject(text);
          switch (frame.getString("type")) {
            case "chunk" -> content.append(frame.getJsonObject("delta").getString("content", ""));
            case "done" -> {
              result.tryComplete(frame.getString("finish_reason") + "|" + content);
              ws.close();
            }
            default -> result.tryFail(text);
          }
        });
        ws.closeHandler(v -> result.tryFail("closed before done"));
        ws.writeTextMessage(chat(id, "hello " + id, null).encode());
      });
    }
    TestServer.await(Future.all(results).timeout(240, TimeUnit.SECONDS));
    TestServer.await(client.close());
    for (int i = 0; i < sockets; i++) {
      assertThat(results.get(i).result()).isEqualTo("stop|Mock reply to: hello s" + i);
    }
  }
}
