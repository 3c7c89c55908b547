package ai.poncho.ws;

import static ai.poncho.testing.WsClient.chat;
import static ai.poncho.ws.WebSocketApiTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.poncho.testing.RawWebSocket;
import ai.poncho.testing.TestServer;
import ai.poncho.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Frames the server must refuse with the right close code, per-socket limits, and keep-alive. */
@ExtendWith(VertxExtension.class)
class WebSocketLimitsTest {

  private static TestServer server;

  @BeforeAll
  static void startServer() {
    JsonObject config = TestServer.config().put("ws", new JsonObject()
        .put("max_frame_size", "1KB").put("max_message_size", "4KB").put("max_in_flight", 2)
        .put("max_protocol_errors", 3).put("ping_interval", "300ms").put("keepalive_timeout", "4s"));
    server = TestServer.start(config);
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @Test
  void binaryFrameClosesWith1003(Vertx vertx) {
    WsClient ws = WsClient.connect(vertx, server.port());
    ws.socket().writeBinaryMessage(Buffer.buffer("{\"type\":\"ping\"}"));
    assertThat(ws.awaitClose()).isEqualTo((short) 1003);
  }

  @Test
  void invalidUtf8TextClosesWith1007(Vertx vertx) {
    RawWebSocket ws = RawWebSocket.connect(vertx, server.port(), WsClient.PATH);
    ws.send(RawWebSocket.Frame.TEXT, new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', '}'}, true);
    await().atMost(Duration.ofSeconds(60))
        .until(() -> ws.frames().stream().anyMatch(f -> f.opcode() == RawWebSocket.Frame.CLOSE));
    RawWebSocket.Frame close = ws.frames().stream().filter(f -> f.opcode() == RawWebSocket.Frame.CLOSE)
        .findFirst().orElseThrow();
    assertThat(close.closeCode()).isEqualTo(1007);
    ws.close();
  }

  @Test
  void frameOverTheFrameLimitClosesWith1009(Vertx vertx) {
    WsClient ws = WsClient.connect(vertx, server.port());
    ws.socket().writeFrame(WebSocketFrame.textFrame(padded(2048), true));
    assertThat(ws.awaitClose()).isEqualTo((short) 1009);
  }

  @Test
  void messageOverTheMessageLimitClosesWith1009(Vertx vertx) {
    WsClient ws = WsClient.connect(vertx, server.port());
    String message = padded(6000);
    int piece = 1000;
    for (int i = 0; i < message.length(); i += piece) {
      String part = message.substring(i, Math.min(message.length(), i + piece));
      boolean last = i + piece >= message.length();
      ws.socket().writeFrame(i == 0 ? WebSocketFrame.textFrame(part, last)
          : WebSocketFrame.continuationFrame(Buffer.buffer(part), last));
    }
    assertThat(ws.awaitClose()).isEqualTo((short) 1009);
  }

  @Test
  void compressionIsNotNegotiatedSoTheLimitsHoldForWhatIsInflated(Vertx vertx) {
    WsClient ws = WsClient.connect(vertx, new WebSocketClientOptions().setTryUsePerMessageCompression(true)
        .setTryUsePerFrameCompression(true), server.port());
    assertThat(ws.socket().headers().get("sec-websocket-extensions")).isNull();
    ws.roundTrip();
    ws.close();
  }

  @Test
  void fragmentedMessageWithinTheLimitIsJoined(Vertx vertx) {
    WsClient ws = WsClient.connect(vertx, server.port());
    String message = chat("frag", "joined from fragments", null).encode();
    int half = message.length() / 2;
    ws.socket().writeFrame(WebSocketFrame.textFrame(message.substring(0, half), false));
    ws.socket().writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer(message.substring(half)), true));
    assertThat(ws.awaitEnd("frag").getString("finish_reason")).isEqualTo("stop");
    assertThat(ws.content("frag")).isEqualTo("Mock reply to: joined from fragments");
    ws.close();
  }

  @Test
  void repeatedMalformedFramesCloseWith1008(Vertx vertx) {
    WsClient ws = WsClient.connect(vertx, server.port());
    for (int i = 1; i <= 3; i++) {
      ws.sendText("garbage " + i);
      assertError(ws.awaitFrame("error", null, i), "invalid_json");
    }
    ws.sendText("garbage 4");
    assertThat(ws.awaitClose()).isEqualTo((short) 1008);
  }

  @Test
  void generationsOverTheInFlightLimitGetAnErrorFrame(Vertx vertx) {
    WsClient ws = WsClient.connect(vertx, server.port());
    JsonObject slow = new JsonObject().put("mock_chunk_delay_ms", "50");
    ws.send(chat("g1", "one two three four", slow));
    ws.send(chat("g2", "one two three four", slow));
    ws.send(chat("g3", "one two three four", slow));
    assertError(ws.awaitFrame("error", "g3", 1), "too_many_in_flight");
    assertThat(ws.awaitEnd("g1").getString("finish_reason")).isEqualTo("stop");
    assertThat(ws.awaitEnd("g2").getString("finish_reason")).isEqualTo("stop");
    ws.send(chat("g4", "room again", null));
    assertThat(ws.awaitEnd("g4").getString("type")).isEqualTo("done");
    ws.close();
  }

  @Test
  void deadConnectionIsPingedThenClosed(Vertx vertx) {
    RawWebSocket ws = RawWebSocket.connect(vertx, server.port(), WsClient.PATH);
    await().atMost(Duration.ofSeconds(60))
        .until(() -> ws.frames().stream().anyMatch(f -> f.opcode() == RawWebSocket.Frame.PING));
    await().atMost(Duration.ofSeconds(60))
        .until(() -> ws.frames().stream().anyMatch(f -> f.opcode() == RawWebSocket.Frame.CLOSE));
    RawWebSocket.Frame close = ws.frames().stream().filter(f -> f.opcode() == RawWebSocket.Frame.CLOSE)
        .findFirst().orElseThrow();
    assertThat(close.closeCode()).isEqualTo(1001);
    ws.close();
  }

  @Test
  void clientThatAnswersPingsStaysConnected(Vertx vertx) {
    WsClient ws = WsClient.connect(vertx, new WebSocketClientOptions(), server.port());
    await().during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(30)).until(() -> !ws.isClosed());
    ws.roundTrip();
    ws.close();
  }

  private static String padded(int length) {
    byte[] bytes = new byte[length];
    java.util.Arrays.fill(bytes, (byte) 'x');
    return new String(bytes, StandardCharsets.US_ASCII);
  }
}
