package ai.poncho.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An in-process upstream LLM server on a random loopback port, on its own Vert.x. Tests script its
 * answers ({@link #then} one-shot, in order; {@link #always} afterwards) in the vendor's wire format
 * and inspect what it {@link #received()}.
 */
public final class FakeUpstream implements AutoCloseable {

  /** Answers one request; {@code body} is the complete request body. */
  @FunctionalInterface
  public interface Responder {
    void respond(FakeUpstream upstream, HttpServerRequest request, Buffer body);
  }

  /** One request as the upstream saw it. */
  public record Received(String path, io.vertx.core.MultiMap headers, Buffer body, long nanos) {
    public JsonObject json() {
      return new JsonObject(body);
    }
  }

  private final Vertx vertx = Vertx.vertx();
  private final Queue<Responder> script = new ConcurrentLinkedQueue<>();
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private volatile Responder always = (upstream, request, body) -> request.response().setStatusCode(500)
      .end("{\"error\":{\"message\":\"no scripted answer\"}}");
  private final java.util.concurrent.atomic.AtomicInteger closedConnections =
      new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.atomic.AtomicInteger openedConnections =
      new java.util.concurrent.atomic.AtomicInteger();
  private final HttpServer server;

  private FakeUpstream() {
    server = vertx.createHttpServer()
        .connectionHandler(connection -> {
          openedConnections.incrementAndGet();
          connection.closeHandler(v -> closedConnections.incrementAndGet());
        })
        .requestHandler(request -> request.body().onSuccess(body -> {
      received.add(new Received(request.path(), request.headers(), body, System.nanoTime()));
      Responder next = script.poll();
      (next != null ? next : always).respond(this, request, body);
    }));
    TestServer.await(server.listen(0, "127.0.0.1"));
  }

  public static FakeUpstream start() {
    return new FakeUpstream();
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  public Vertx vertx() {
    return vertx;
  }

  public FakeUpstream then(Responder responder) {
    script.add(responder);
    return this;
  }

  public FakeUpstream always(Responder responder) {
    this.always = responder;
    return this;
  }

  /** Forgets scripted answers and received requests (between tests sharing one upstream). */
  public void reset() {
    script.clear();
    received.clear();
  }

  public List<Received> received() {
    return received;
  }

  /** Connections the gateway (or this server) closed so far. */
  public int closedConnections() {
    return closedConnections.get();
  }

  /** Connections the gateway opened so far. */
  public int openedConnections() {
    return openedConnections.get();
  }

  public int count() {
    return received.size();
  }

  /** A JSON answer with the given status and headers. */
  public static Responder json(int status, JsonObject body, Map<String, String> headers) {
    return (upstream, request, ignored) -> {
      HttpServerResponse response = request.response().setStatusCode(status)
          .putHeader("content-type", "application/json");
      headers.forEach(response::putHeader);
      response.end(body.toBuffer());
    };
  }

  public static Responder json(int status, JsonObject body) {
    return json(status, body, Map.of());
  }

  /**
   * An OpenAI chat-completions answer reporting {@code prompt} and {@code completion} tokens of usage: a
   * {@code chat.completion}, or for {@code "stream": true} its chunks, a usage chunk and {@code [DONE]}.
   */
  public static Responder openAiChat(String model, String content, int prompt, int completion) {
    JsonObject usage = new JsonObject().put("prompt_tokens", prompt).put("completion_tokens", completion)
        .put("total_tokens", prompt + completion);
    return (upstream, request, body) -> {
      if (!new JsonObject(body).getBoolean("stream", false)) {
        json(200, new JsonObject().put("id", "chatcmpl-fake1").put("object", "chat.completion")
            .put("created", 1741569952).put("model", model)
            .put("choices", new io.vertx.core.json.JsonArray().add(new JsonObject().put("index", 0)
                .put("message", new JsonObject().put("role", "assistant").put("content", content))
                .put("logprobs", null).put("finish_reason", "stop")))
            .put("usage", usage)).respond(upstream, request, body);
        return;
      }
      JsonObject chunk = new JsonObject().put("id", "chatcmpl-fake2").put("object", "chat.completion.chunk")
          .put("created", 1741569952).put("model", model);
      sse(List.of(
          frame(chunk.copy().put("choices", new io.vertx.core.json.JsonArray().add(new JsonObject().put("index", 0)
              .put("delta", new JsonObject().put("role", "assistant").put("content", content))
              .put("finish_reason", null))).put("usage", null)),
          frame(chunk.copy().put("choices", new io.vertx.core.json.JsonArray().add(new JsonObject().put("index", 0)
              .put("delta", new JsonObject()).put("finish_reason", "stop"))).put("usage", null)),
          frame(chunk.copy().put("choices", new io.vertx.core.json.JsonArray()).put("usage", usage)),
          "data: [DONE]\n\n")).respond(upstream, request, body);
    };
  }

  private static String frame(JsonObject json) {
    return "data: " + json.encode() + "\n\n";
  }

  /** An SSE answer: each frame (already formatted, e.g. "data: {...}\n\n") written as its own write. */
  public static Responder sse(List<String> frames) {
    return (upstream, request, body) -> {
      HttpServerResponse response = sseHead(request);
      frames.forEach(response::write);
      response.end();
    };
  }

  /** An SSE answer cut into pieces of {@code size} bytes, so lines and events straddle writes. */
  public static Responder sseInPieces(List<String> frames, int size) {
    return (upstream, request, body) -> {
      HttpServerResponse response = sseHead(request);
      Buffer all = Buffer.buffer(String.join("", frames));
      for (int i = 0; i < all.length(); i += size) {
        response.write(all.getBuffer(i, Math.min(all.length(), i + size)));
      }
      response.end();
    };
  }

  /** Writes the frames, then drops the connection without ending the response. */
  public static Responder sseThenReset(List<String> frames) {
    return (upstream, request, body) -> {
      HttpServerResponse response = sseHead(request);
      frames.forEach(response::write);
      upstream.vertx().setTimer(50, id -> request.connection().close());
    };
  }

  /** Writes the frames, then stays silent with the connection open. */
  public static Responder sseThenStall(List<String> frames) {
    return (upstream, request, body) -> {
      HttpServerResponse response = sseHead(request);
      frames.forEach(response::write);
    };
  }

  /** Answers with {@code then} only after {@code delayMs}. */
  public static Responder delayed(long delayMs, Responder then) {
    return (upstream, request, body) -> upstream.vertx().setTimer(delayMs,
        id -> then.respond(upstream, request, body));
  }

  public static HttpServerResponse sseHead(HttpServerRequest request) {
    return request.response().setChunked(true).putHeader("content-type", "text/event-stream")
        .putHeader("cache-control", "no-cache");
  }

  @Override
  public void close() {
    TestServer.await(vertx.close());
  }
}
