package ai.poncho.ws;

import static ai.poncho.testing.WsClient.chat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.poncho.http.HttpVerticle;
import ai.poncho.metrics.Meters;
import ai.poncho.testing.TestServer;
import ai.poncho.testing.WsClient;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.internal.deployment.DeploymentContext;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Graceful shutdown of the HTTP verticle: sockets close with 1001 once their generations finish, or at
 * the shutdown deadline with what is left cancelled. Only the HTTP verticle is undeployed, so the
 * generations' upstreams keep running as they would while a node drains.
 */
@ExtendWith(VertxExtension.class)
class WebSocketShutdownTest {

  private static TestServer start(String shutdownTimeout) {
    return TestServer.start(TestServer.config().put("ws", new JsonObject().put("shutdown_timeout", shutdownTimeout)));
  }

  private static Future<Void> undeployHttp(TestServer server) {
    VertxInternal vertx = (VertxInternal) server.vertx();
    String id = vertx.deploymentManager().deployments().stream()
        .filter(d -> d.deployment().instances().stream().anyMatch(HttpVerticle.class::isInstance))
        .map(DeploymentContext::id).findFirst().orElseThrow();
    return vertx.undeploy(id);
  }

  @Test
  void shutdownLetsInFlightGenerationsFinishThenClosesWith1001(Vertx vertx) {
    TestServer server = start("60s");
    try {
      WsClient ws = WsClient.connect(vertx, server.port());
      ws.send(chat("finishing", "a reply of several words to finish", new JsonObject()
          .put("mock_chunk_delay_ms", "100")));
      ws.awaitFrame("chunk", "finishing", 2);
      Future<Void> undeployed = undeployHttp(server);
      assertThat(ws.awaitClose()).isEqualTo((short) 1001);
      JsonObject done = ws.awaitEnd("finishing");
      assertThat(done.getString("finish_reason")).isEqualTo("stop");
      assertThat(ws.content("finishing")).isEqualTo("Mock reply to: a reply of several words to finish");
      TestServer.await(undeployed);
    } finally {
      server.close();
    }
  }

  @Test
  void shutdownDeadlineCancelsWhatIsLeftThenClosesWith1001(Vertx vertx) {
    TestServer server = start("500ms");
    try {
      WsClient ws = WsClient.connect(vertx, server.port());
      ws.send(chat("endless", "this will not finish", new JsonObject().put("mock_chunks", "1000")
          .put("mock_chunk_delay_ms", "50")));
      ws.awaitFrame("chunk", "endless", 2);
      Future<Void> undeployed = undeployHttp(server);
      assertThat(ws.awaitClose()).isEqualTo((short) 1001);
      JsonObject done = ws.awaitEnd("endless");
      assertThat(done.getString("type")).isEqualTo("done");
      assertThat(done.getString("finish_reason")).isEqualTo("cancelled");
      TestServer.await(undeployed);
      await().atMost(Duration.ofSeconds(60)).until(() -> cancelled(server) == 1.0);
    } finally {
      server.close();
    }
  }

  @Test
  void idleSocketsCloseWith1001AtOnce(Vertx vertx) {
    TestServer server = start("60s");
    try {
      List<WsClient> sockets = List.of(WsClient.connect(vertx, server.port()), WsClient.connect(vertx, server.port()));
      sockets.forEach(WsClient::roundTrip);
      TestServer.await(undeployHttp(server));
      sockets.forEach(ws -> assertThat(ws.awaitClose()).isEqualTo((short) 1001));
    } finally {
      server.close();
    }
  }

  /** The metrics endpoint went with the HTTP verticle, so the node's registry is read directly. */
  private static double cancelled(TestServer server) {
    Counter counter = Meters.registry(server.serverConfig().metrics()).find("poncho.mock.streams.cancelled").counter();
    return counter == null ? 0 : counter.count();
  }
}
