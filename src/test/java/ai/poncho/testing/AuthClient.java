package ai.poncho.testing;

import static org.assertj.core.api.Assertions.assertThat;

import ai.poncho.chat.Ids;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

/** HTTP calls with an API key against a {@link TestServer} with auth on; blocking, for test threads. */
public final class AuthClient implements AutoCloseable {

  private final Vertx vertx = Vertx.vertx();
  private final WebClient client;

  public AuthClient(TestServer server) {
    this.client = server.webClient(vertx);
  }

  /** A fresh master key for a test server, registered as a secret that no log line may contain. */
  public static String newMasterKey() {
    return LogCapture.secret(Ids.random("sk-master-") + Ids.random("-"));
  }

  /** {@link TestServer#config()} with auth on under {@code masterKey}. */
  public static JsonObject config(String masterKey) {
    return TestServer.config().put("auth", new JsonObject().put("master_key", masterKey));
  }

  public HttpResponse<Buffer> send(HttpMethod method, String path, String key, Object body) {
    HttpRequest<Buffer> request = client.request(method, path);
    if (key != null) {
      request.bearerTokenAuthentication(key);
    }
    if (body == null) {
      return TestServer.await(request.send());
    }
    if (body instanceof JsonObject json) {
      return TestServer.await(request.sendJsonObject(json));
    }
    return TestServer.await(request.putHeader("content-type", "application/json").sendBuffer(Buffer.buffer(body.toString())));
  }

  public HttpResponse<Buffer> get(String path, String key) {
    return send(HttpMethod.GET, path, key, null);
  }

  public HttpResponse<Buffer> chat(String key, String model) {
    return send(HttpMethod.POST, "/v1/chat/completions", key, ApiClient.request(model, "hello"));
  }

  public HttpResponse<Buffer> withHeader(HttpMethod method, String path, String header, String value) {
    return TestServer.await(client.request(method, path).putHeader(header, value).send());
  }

  /** Creates a key as {@code admin}; returns the 201 answer (with the plain key). */
  public JsonObject createKey(String admin, JsonObject body) {
    HttpResponse<Buffer> response = send(HttpMethod.POST, "/api/v1/keys", admin, body);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(201);
    return response.bodyAsJsonObject();
  }

  public static JsonObject key(String role, String... models) {
    return new JsonObject().put("name", Ids.random("test-")).put("role", role).put("models", new JsonArray(
        java.util.List.of((Object[]) models)));
  }

  public static JsonObject error(HttpResponse<Buffer> response) {
    return response.bodyAsJsonObject().getJsonObject("error");
  }

  @Override
  public void close() {
    TestServer.await(vertx.close());
  }
}
