package ai.poncho.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

/** A plain HTTP client of a {@link TestServer}, on its own Vert.x, with blocking calls for test threads. */
public final class ApiClient implements AutoCloseable {

  private final Vertx vertx = Vertx.vertx();
  private final WebClient client;

  public ApiClient(TestServer server) {
    this.client = server.webClient(vertx);
  }

  public HttpResponse<Buffer> chat(JsonObject body) {
    return TestServer.await(client.post("/v1/chat/completions").sendJsonObject(body));
  }

  public HttpResponse<Buffer> get(String path) {
    return TestServer.await(client.get(path).send());
  }

  /** A chat request with one user message. */
  public static JsonObject request(String model, String text) {
    return new JsonObject().put("model", model)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", text)));
  }

  @Override
  public void close() {
    TestServer.await(vertx.close());
  }
}
