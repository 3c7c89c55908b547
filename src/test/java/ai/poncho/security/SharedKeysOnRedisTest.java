package ai.poncho.security;

import static ai.poncho.testing.AuthClient.error;
import static ai.poncho.testing.AuthClient.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.poncho.chat.Ids;
import ai.poncho.config.PonchoConfig;
import ai.poncho.state.RedisState;
import ai.poncho.testing.AuthClient;
import ai.poncho.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two gateways sharing the machine's Redis (a random key prefix per test): keys created, suspended,
 * rotated or revoked on one work or stop working on the other; and a Redis of the test's own that dies.
 */
class SharedKeysOnRedisTest {

  private static final String MASTER = AuthClient.newMasterKey();

  private static JsonObject config(String url, String prefix) {
    JsonObject config = AuthClient.config(MASTER);
    config.put("state", new JsonObject().put("backend", "redis").put("redis", new JsonObject().put("url", url)
        .put("prefix", prefix).put("timeout", "300ms")));
    return config;
  }

  @Test
  void aKeyMadeOnOneNodeWorksOnTheOtherAndRevocationReachesItWithinASecond() {
    String prefix = Ids.random("poncho-test:auth:") + ":";
    JsonObject config = config("redis://127.0.0.1:6379", prefix);
    try (TestServer a = TestServer.start(config); TestServer b = TestServer.start(config);
         AuthClient onA = new AuthClient(a); AuthClient onB = new AuthClient(b)) {
      JsonObject created = onA.createKey(MASTER, key("user", "mock"));
      String secret = created.getString("key");
      String id = created.getString("id");
      assertThat(onB.chat(secret, "mock").statusCode()).isEqualTo(200);
      assertThat(onB.get("/api/v1/keys/" + id, MASTER).bodyAsJsonObject().getString("role")).isEqualTo("user");

      onA.send(HttpMethod.PATCH, "/api/v1/keys/" + id, MASTER, new JsonObject().put("enabled", false));
      await().atMost(Duration.ofMillis(1500)).pollInterval(Duration.ofMillis(50))
          .until(() -> onB.chat(secret, "mock").statusCode() == 401);
      assertThat(error(onB.chat(secret, "mock")).getString("message")).contains("disabled");
      onA.send(HttpMethod.PATCH, "/api/v1/keys/" + id, MASTER, new JsonObject().put("enabled", true));
      await().atMost(Duration.ofMillis(1500)).until(() -> onB.chat(secret, "mock").statusCode() == 200);

      HttpResponse<Buffer> rotated = onA.send(HttpMethod.POST, "/api/v1/keys/" + id + "/rotate", MASTER,
          new JsonObject().put("grace_period", "1h"));
      String fresh = rotated.bodyAsJsonObject().getString("key");
      assertThat(onB.chat(fresh, "mock").statusCode()).isEqualTo(200);
      assertThat(onB.chat(secret, "mock").statusCode()).isEqualTo(200);

      // Once its grace is over, a rotated-out secret is refused on every node, saying why.
      String again = onA.send(HttpMethod.POST, "/api/v1/keys/" + id + "/rotate", MASTER,
          new JsonObject().put("grace_period", "1s")).bodyAsJsonObject().getString("key");
      await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
          .until(() -> onB.chat(fresh, "mock").statusCode() == 401);
      assertThat(error(onB.chat(fresh, "mock")).getString("message")).contains("rotated");
      assertThat(onB.chat(again, "mock").statusCode()).isEqualTo(200);

      assertThat(onA.send(HttpMethod.DELETE, "/api/v1/keys/" + id, MASTER, null).statusCode()).isEqualTo(200);
      await().atMost(Duration.ofMillis(1500)).pollInterval(Duration.ofMillis(50))
          .until(() -> onB.chat(again, "mock").statusCode() == 401 && onB.chat(fresh, "mock").statusCode() == 401);
      assertThat(onB.get("/api/v1/keys/" + id, MASTER).statusCode()).isEqualTo(404);

      for (int i = 0; i < 3; i++) {
        onA.createKey(MASTER, key("viewer"));
      }
      JsonObject page = onB.get("/api/v1/keys?limit=2", MASTER).bodyAsJsonObject();
      assertThat(page.getJsonArray("data")).hasSize(2);
      assertThat(page.getBoolean("has_more")).isTrue();
      JsonObject rest = onB.get("/api/v1/keys?limit=2&after=" + page.getString("last_id"), MASTER).bodyAsJsonObject();
      assertThat(rest.getJsonArray("data")).hasSize(1);
      assertThat(rest.getBoolean("has_more")).isFalse();
    } finally {
      deleteAll(prefix);
    }
  }

  @Test
  void whenRedisDiesValidatedKeysKeepWorkingOthersGet503AndReadinessSaysSo() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Process redis = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    try (TestServer server = TestServer.start(config("redis://127.0.0.1:" + port, "poncho:"));
         AuthClient http = new AuthClient(server)) {
      await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
          .until(() -> http.createKey(MASTER, key("user")) != null);
      String used = http.createKey(MASTER, key("user")).getString("key");
      String unused = http.createKey(MASTER, key("user")).getString("key");
      assertThat(http.chat(used, "mock").statusCode()).isEqualTo(200);
      assertThat(http.get("/health/ready", null).statusCode()).isEqualTo(200);

      redis.destroy();
      assertThat(redis.waitFor(10, TimeUnit.SECONDS)).isTrue();

      HttpResponse<Buffer> unavailable = http.chat(unused, "mock");
      assertThat(unavailable.statusCode()).isEqualTo(503);
      assertThat(error(unavailable).getString("code")).isEqualTo("auth_unavailable");
      assertThat(http.chat(used, "mock").statusCode()).isEqualTo(200);
      assertThat(http.chat(MASTER, "mock").statusCode()).isEqualTo(200);
      HttpResponse<Buffer> ready = http.get("/health/ready", null);
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(ready.bodyAsString()).contains("key-store");
    } finally {
      redis.destroyForcibly();
    }
  }

  private static void deleteAll(String prefix) {
    Vertx vertx = Vertx.vertx();
    PonchoConfig config = PonchoConfig.from(config("redis://127.0.0.1:6379", prefix));
    RedisState redis = RedisState.create(vertx, config.state());
    try {
      Response keys = TestServer.await(redis.send(Request.cmd(Command.KEYS).arg(prefix + "*")));
      for (Response key : keys) {
        TestServer.await(redis.send(Request.cmd(Command.DEL).arg(key.toString())));
      }
    } finally {
      TestServer.await(redis.close());
      TestServer.await(vertx.close());
    }
  }
}
