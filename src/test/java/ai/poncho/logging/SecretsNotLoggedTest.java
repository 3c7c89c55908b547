package ai.poncho.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import ai.poncho.testing.AuthClient;
import ai.poncho.testing.FakeUpstream;
import ai.poncho.testing.JsonLogLines;
import ai.poncho.testing.TestServer;
import ai.poncho.testing.WsClient;
import ai.poncho.ws.WsEndpoint;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs the flows that handle secrets with every logger at DEBUG, capturing all output as the JSON
 * console writes it, and finds none of them: the master key and managed keys presented in
 * {@code Authorization} and {@code x-api-key}, a key in the WebSocket handshake's {@code ?api_key=},
 * keys created through the key API, a wrong key, and a provider's {@code api_key} from the
 * configuration (sent upstream on calls that succeed and that fail).
 */
class SecretsNotLoggedTest {

  @Test
  void noSecretAppearsInAnyLogLine() {
    String master = AuthClient.newMasterKey();
    String upstreamKey = "sk-upstream-" + java.util.UUID.randomUUID();
    String wrongKey = "sk-poncho-" + "Wr0ngKeyWr0ngKeyWr0ngKey";
    FakeUpstream upstream = FakeUpstream.start();
    JsonObject config = AuthClient.config(master);
    config.getJsonObject("http").put("access_log", true);
    config.getJsonObject("models").put("up", new JsonObject().put("provider", "openai").put("api_key", upstreamKey)
        .put("base_url", upstream.baseUrl()).put("max_retries", 0));
    Vertx vertx = Vertx.vertx();
    String created;
    try (JsonLogLines log = JsonLogLines.capture(org.slf4j.Logger.ROOT_LOGGER_NAME)) {
      TestServer server = TestServer.start(config);
      try (AuthClient http = new AuthClient(server)) {
        created = http.createKey(master, AuthClient.key("user")).getString("key");
        assertThat(http.get("/api/v1/keys", master).statusCode()).isEqualTo(200);
        assertThat(http.chat(created, "mock").statusCode()).isEqualTo(200);
        assertThat(http.withHeader(HttpMethod.GET, "/v1/models", "x-api-key", created).statusCode()).isEqualTo(200);
        assertThat(http.chat(wrongKey, "mock").statusCode()).isEqualTo(401);
        assertThat(http.withHeader(HttpMethod.GET, "/v1/models", "x-api-key", wrongKey).statusCode()).isEqualTo(401);
        upstream.then(FakeUpstream.json(200, new JsonObject().put("id", "chatcmpl-1").put("object", "chat.completion")
                .put("created", 1).put("model", "up").put("choices", new JsonArray().add(new JsonObject()
                    .put("index", 0).put("finish_reason", "stop")
                    .put("message", new JsonObject().put("role", "assistant").put("content", "hi"))))))
            .then(FakeUpstream.json(401, new JsonObject().put("error", new JsonObject()
                .put("message", "Incorrect API key provided: " + upstreamKey).put("type", "invalid_request_error"))));
        assertThat(http.chat(created, "up").statusCode()).isEqualTo(200);
        assertThat(http.chat(created, "up").statusCode()).isGreaterThanOrEqualTo(400);
        assertThat(upstream.received()).allSatisfy(received ->
            assertThat(received.headers().get("authorization")).isEqualTo("Bearer " + upstreamKey));

        WebSocketClient sockets = vertx.createWebSocketClient();
        WsClient ws = WsClient.connect(sockets, WsClient.options(server.port())
            .setURI(WsEndpoint.PATH + "?api_key=" + URLEncoder.encode(created, StandardCharsets.UTF_8)));
        ws.send(WsClient.chat("a", "mock", "hello", null));
        assertThat(ws.awaitEnd("a").getString("finish_reason")).isEqualTo("stop");
        ws.close();
        Throwable refused = catchThrowable(() -> TestServer.await(sockets.connect(WsClient.options(server.port())
            .setURI(WsEndpoint.PATH + "?api_key=" + wrongKey))));
        assertThat(refused).isNotNull();
      } finally {
        server.close();
      }
      String output = log.text();
      assertThat(log.lines()).extracting(line -> line.getString("logger")).contains("poncho.access");
      for (String secret : List.of(master, created, wrongKey, upstreamKey)) {
        assertThat(output).as("log output").doesNotContain(secret);
      }
    } finally {
      TestServer.await(vertx.close());
      upstream.close();
    }
  }
}
