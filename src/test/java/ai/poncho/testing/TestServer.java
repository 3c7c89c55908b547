package ai.poncho.testing;

import ai.poncho.PonchoServer;
import ai.poncho.config.PonchoConfig;
import ai.poncho.chat.Ids;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.concurrent.TimeUnit;

/**
 * A whole PonchoAI node for tests: its own Vert.x with its own metrics registry, every verticle
 * deployed, HTTP on a random loopback port. Configure it with {@link #config()} plus overrides.
 */
public final class TestServer implements AutoCloseable {

  private final Vertx vertx;
  private final int port;
  private final PonchoConfig config;

  private TestServer(Vertx vertx, int port, PonchoConfig config) {
    this.vertx = vertx;
    this.port = port;
    this.config = config;
  }

  /** The base test configuration: one mock model, one instance of each verticle, quiet logs. */
  public static JsonObject config() {
    return new JsonObject()
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", 0).put("instances", 1)
            .put("access_log", false))
        .put("dispatch", new JsonObject().put("instances", 1))
        .put("metrics", new JsonObject().put("enabled", true).put("registry_name", Ids.random("test-")))
        .put("models", new JsonObject().put("mock", new JsonObject().put("provider", "mock")
            .put("max_tokens", 8192)
            .put("supports", new JsonObject().put("vision", true).put("tools", true))));
  }

  public static TestServer start() {
    return start(config());
  }

  public static TestServer start(JsonObject json) {
    PonchoConfig config = PonchoConfig.from(json);
    Vertx vertx = await(PonchoServer.createVertx(config));
    int port = await(PonchoServer.deploy(vertx, config));
    return new TestServer(vertx, port, config);
  }

  public Vertx vertx() {
    return vertx;
  }

  public int port() {
    return port;
  }

  public PonchoConfig serverConfig() {
    return config;
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  /** A client on the test's own Vert.x, talking to this server over loopback. */
  public WebClient webClient(Vertx clientVertx) {
    return WebClient.create(clientVertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
  }

  public HttpClient httpClient(Vertx clientVertx) {
    return clientVertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
  }

  /** Stops the node as production does: HTTP drains first, then the other verticles, then Vert.x. */
  @Override
  public void close() {
    await(PonchoServer.shutdown(vertx));
  }

  public static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e.getCause() != null ? e.getCause() : e);
    }
  }
}
