package ai.poncho.testing;

import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A PonchoAI WebSocket API client for tests, on Vert.x's own WebSocket client: records every JSON frame
 * received and how the socket was closed, and waits (without sleeping) for what a test expects.
 */
public final class WsClient {

  public static final String PATH = "/api/v1/ws";
  private static final Duration WAIT = Duration.ofSeconds(90);

  private final WebSocketClient client;
  private final WebSocket ws;
  private final List<JsonObject> frames = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Short> closeCode = new CompletableFuture<>();
  private volatile Predicate<JsonObject> pauseOn;

  private WsClient(WebSocketClient client, WebSocket ws) {
    // Vert.x closes a WebSocketClient that becomes unreachable, sockets included: hold on to it.
    this.client = client;
    this.ws = ws;
    ws.textMessageHandler(text -> {
      JsonObject frame = new JsonObject(text);
      frames.add(frame);
      Predicate<JsonObject> condition = pauseOn;
      if (condition != null && condition.test(frame)) {
        pauseOn = null;
        ws.pause();
      }
    });
    ws.closeHandler(v -> closeCode.complete(ws.closeStatusCode()));
  }

  public static WsClient connect(Vertx vertx, int port) {
    return connect(vertx.createWebSocketClient(), port);
  }

  public static WsClient connect(Vertx vertx, WebSocketClientOptions options, int port) {
    return connect(vertx.createWebSocketClient(options), port);
  }

  public static WsClient connect(WebSocketClient client, int port) {
    return connect(client, options(port));
  }

  public static WsClient connect(WebSocketClient client, WebSocketConnectOptions options) {
    return new WsClient(client, TestServer.await(client.connect(options)));
  }

  public static WebSocketConnectOptions options(int port) {
    return new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(PATH);
  }

  /**
   * Pauses the socket on its event loop as the {@code n}th frame of {@code type} for {@code id} arrives:
   * pausing from the test thread afterwards would let an unknown number of further frames through.
   */
  public WsClient pauseOnFrame(String type, String id, int n) {
    AtomicInteger seen = new AtomicInteger();
    pauseOn = frame -> type.equals(frame.getString("type")) && id.equals(frame.getString("id"))
        && seen.incrementAndGet() == n;
    return this;
  }

  public WebSocket socket() {
    return ws;
  }

  public WsClient send(JsonObject frame) {
    TestServer.await(ws.writeTextMessage(frame.encode()));
    return this;
  }

  public WsClient sendText(String text) {
    TestServer.await(ws.writeTextMessage(text));
    return this;
  }

  public List<JsonObject> frames() {
    return List.copyOf(frames);
  }

  /** Frames about one generation, in arrival order. */
  public List<JsonObject> frames(String id) {
    return frames.stream().filter(f -> id.equals(f.getString("id"))).toList();
  }

  /** Waits for the frame that ends generation {@code id} (done or error) and returns it. */
  public JsonObject awaitEnd(String id) {
    await().atMost(WAIT).until(() -> end(id) != null);
    return end(id);
  }

  /** Waits for the {@code n}-th frame (1-based) of the given type and id (null id: frames without one). */
  public JsonObject awaitFrame(String type, String id, int n) {
    await().atMost(WAIT).until(() -> matching(type, id).size() >= n);
    return matching(type, id).get(n - 1);
  }

  /** Waits for the socket to be closed; returns the close code the server sent. */
  public Short awaitClose() {
    try {
      return closeCode.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("the socket was not closed", e);
    }
  }

  public boolean isClosed() {
    return closeCode.isDone();
  }

  /** Sends a ping frame and waits for its pong: every frame the server sent before is then here. */
  public void roundTrip() {
    int pongs = matching("pong", null).size();
    send(new JsonObject().put("type", "ping"));
    awaitFrame("pong", null, pongs + 1);
  }

  public void close() {
    TestServer.await(ws.close());
    TestServer.await(client.close());
  }

  /** Concatenated delta contents of one generation's chunk frames. */
  public String content(String id) {
    StringBuilder sb = new StringBuilder();
    for (JsonObject frame : frames(id)) {
      if ("chunk".equals(frame.getString("type"))) {
        String piece = frame.getJsonObject("delta").getString("content");
        if (piece != null) {
          sb.append(piece);
        }
      }
    }
    return sb.toString();
  }

  private JsonObject end(String id) {
    return frames(id).stream().filter(f -> "done".equals(f.getString("type")) || "error".equals(f.getString("type")))
        .findFirst().orElse(null);
  }

  private List<JsonObject> matching(String type, String id) {
    return frames.stream().filter(f -> type.equals(f.getString("type")))
        .filter(f -> id == null ? !f.containsKey("id") : id.equals(f.getString("id"))).toList();
  }

  /** A chat frame for the mock model; {@code metadata} holds mock_* settings (as strings). */
  public static JsonObject chat(String id, String text, JsonObject metadata) {
    return chat(id, "mock", text, metadata);
  }

  public static JsonObject chat(String id, String model, String text, JsonObject metadata) {
    JsonObject request = new JsonObject().put("model", model)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", text)));
    if (metadata != null) {
      request.put("metadata", metadata);
    }
    return new JsonObject().put("type", "chat").put("id", id).put("request", request);
  }
}
