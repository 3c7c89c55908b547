package ai.poncho.security;

import static ai.poncho.testing.AuthClient.key;
import static ai.poncho.testing.WsClient.chat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import ai.poncho.testing.AuthClient;
import ai.poncho.testing.TestServer;
import ai.poncho.testing.WsClient;
import ai.poncho.ws.WsEndpoint;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The WebSocket handshake of a gateway with auth on: keys by header, query or subprotocol; roles; allow-lists. */
class WebSocketKeysTest {

  private static final String MASTER = AuthClient.newMasterKey();
  private static TestServer server;
  private static Vertx vertx;
  private static String user;

  @BeforeAll
  static void start() {
    JsonObject config = AuthClient.config(MASTER);
    config.getJsonObject("models").put("gpt-4o", new JsonObject().put("provider", "mock"));
    server = TestServer.start(config);
    vertx = Vertx.vertx();
    try (AuthClient http = new AuthClient(server)) {
      user = http.createKey(MASTER, key("user", "mock")).getString("key");
    }
  }

  @AfterAll
  static void stop() {
    TestServer.await(vertx.close());
    server.close();
  }

  private static WebSocketConnectOptions options() {
    return WsClient.options(server.port());
  }

  private static void assertWorks(WebSocketConnectOptions options) {
    WsClient ws = WsClient.connect(vertx.createWebSocketClient(), options);
    ws.send(chat("a", "mock", "hello", null));
    assertThat(ws.awaitEnd("a").getString("finish_reason")).isEqualTo("stop");
    ws.close();
  }

  private static UpgradeRejectedException rejected(WebSocketConnectOptions options) {
    WebSocketClient client = vertx.createWebSocketClient();
    Throwable failure = catchThrowable(() -> TestServer.await(client.connect(options)));
    TestServer.await(client.close());
    assertThat(failure).cause().isInstanceOf(UpgradeRejectedException.class);
    return (UpgradeRejectedException) failure.getCause();
  }

  @Test
  void handshakeWithoutOrWithAWrongKeyIsRefused() {
    UpgradeRejectedException none = rejected(options());
    assertThat(none.getStatus()).isEqualTo(401);
    assertThat(new JsonObject(none.getBody()).getJsonObject("error").getString("code")).isEqualTo("invalid_api_key");
    assertThat(rejected(options().putHeader("Authorization", "Bearer sk-poncho-nope")).getStatus()).isEqualTo(401);
  }

  @Test
  void keyByBearerQueryOrSubprotocolIsAccepted() {
    assertWorks(options().putHeader("Authorization", "Bearer " + user));
    assertWorks(options().setURI(WsEndpoint.PATH + "?api_key=" + URLEncoder.encode(user, StandardCharsets.UTF_8)));
    assertWorks(options().addSubProtocol(WsEndpoint.SUBPROTOCOL).addSubProtocol("poncho.key." + user));
    assertWorks(options().putHeader("Authorization", "Bearer " + MASTER));
    assertWorks(options().putHeader("x-api-key", user));
  }

  @Test
  void viewersAndKeysWithoutWsAreRefusedWith403() {
    String viewer;
    String noWs;
    try (AuthClient http = new AuthClient(server)) {
      viewer = http.createKey(MASTER, key("viewer")).getString("key");
      noWs = http.createKey(MASTER, key("user").put("endpoints", new io.vertx.core.json.JsonArray().add("chat")))
          .getString("key");
    }
    UpgradeRejectedException refused = rejected(options().putHeader("Authorization", "Bearer " + viewer));
    assertThat(refused.getStatus()).isEqualTo(403);
    assertThat(new JsonObject(refused.getBody()).getJsonObject("error").getString("code"))
        .isEqualTo("insufficient_permissions");
    assertThat(rejected(options().putHeader("Authorization", "Bearer " + noWs)).getStatus()).isEqualTo(403);
  }

  @Test
  void aFrameForAModelOutsideTheAllowListGetsAnErrorFrame() {
    WsClient ws = WsClient.connect(vertx.createWebSocketClient(), options().putHeader("Authorization", "Bearer " + user));
    ws.send(chat("x", "gpt-4o", "hello", null));
    JsonObject error = ws.awaitFrame("error", "x", 1);
    assertThat(error.getJsonObject("error").getString("code")).isEqualTo("model_not_allowed");
    ws.send(chat("y", "mock", "hello", null));
    assertThat(ws.awaitEnd("y").getString("finish_reason")).isEqualTo("stop");
    ws.close();
  }
}
