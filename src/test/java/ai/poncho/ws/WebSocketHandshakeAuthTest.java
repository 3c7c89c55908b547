package ai.poncho.ws;

import static ai.poncho.testing.WsClient.chat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import ai.poncho.error.ErrorKind;
import ai.poncho.error.GatewayError;
import ai.poncho.http.ErrorResponder;
import ai.poncho.http.RequestContext;
import ai.poncho.security.Caller;
import ai.poncho.testing.TestServer;
import ai.poncho.testing.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The handshake authentication hook, with an authenticator that wants the key "secret" from a header,
 * the query or a subprotocol, mounted on a router as the HTTP verticle mounts the endpoint.
 */
@ExtendWith(VertxExtension.class)
class WebSocketHandshakeAuthTest {

  private static TestServer server;
  private static HttpServer guarded;

  @BeforeAll
  static void start() {
    server = TestServer.start();
    HandshakeAuthenticator authenticator = credentials -> "secret".equals(credentials.apiKey())
        ? Future.succeededFuture(Caller.ANONYMOUS)
        : Future.failedFuture(GatewayError.of(ErrorKind.UNAUTHORIZED, "invalid_api_key", null,
            "Incorrect API key provided.").toException());
    Vertx vertx = server.vertx();
    Router router = Router.router(vertx);
    router.route().handler(RequestContext::assign);
    router.get(WsEndpoint.PATH).handler(new WsEndpoint(vertx, server.serverConfig(), authenticator)::handle);
    router.route().failureHandler(ErrorResponder::handle);
    guarded = TestServer.await(vertx.createHttpServer(WsEndpoint.configure(new HttpServerOptions(),
        server.serverConfig().ws())).requestHandler(router).listen(0, "127.0.0.1"));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static WebSocketConnectOptions options() {
    return WsClient.options(guarded.actualPort());
  }

  private static WsClient assertWorks(Vertx vertx, WebSocketConnectOptions options) {
    WsClient ws = WsClient.connect(vertx.createWebSocketClient(), options);
    ws.send(chat("auth", "let me in", null));
    assertThat(ws.awaitEnd("auth").getString("finish_reason")).isEqualTo("stop");
    ws.close();
    return ws;
  }

  private static UpgradeRejectedException rejected(Vertx vertx, WebSocketConnectOptions options) {
    WebSocketClient client = vertx.createWebSocketClient();
    Throwable failure = catchThrowable(() -> TestServer.await(client.connect(options)));
    TestServer.await(client.close());
    assertThat(failure).isInstanceOf(IllegalStateException.class).cause().isInstanceOf(UpgradeRejectedException.class);
    return (UpgradeRejectedException) failure.getCause();
  }

  @Test
  void handshakeWithoutAKeyIsRefusedWith401(Vertx vertx) {
    UpgradeRejectedException rejected = rejected(vertx, options());
    assertThat(rejected.getStatus()).isEqualTo(401);
    JsonObject error = new JsonObject(rejected.getBody()).getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("invalid_api_key");
    assertThat(error.getString("type")).isEqualTo("authentication_error");
  }

  @Test
  void wrongBearerKeyIsRefusedWith401(Vertx vertx) {
    assertThat(rejected(vertx, options().putHeader("Authorization", "Bearer wrong")).getStatus()).isEqualTo(401);
  }

  @Test
  void keyInTheAuthorizationHeaderIsAccepted(Vertx vertx) {
    assertWorks(vertx, options().putHeader("Authorization", "Bearer secret"));
  }

  @Test
  void keyInTheQueryIsAccepted(Vertx vertx) {
    assertWorks(vertx, options().setURI(WsEndpoint.PATH + "?api_key=secret"));
  }

  @Test
  void keyAsASubprotocolIsAcceptedAndThePonchoSubprotocolSelected(Vertx vertx) {
    WsClient ws = assertWorks(vertx,
        options().addSubProtocol(WsEndpoint.SUBPROTOCOL).addSubProtocol("poncho.key.secret"));
    assertThat(ws.socket().subProtocol()).isEqualTo(WsEndpoint.SUBPROTOCOL);
  }
}
