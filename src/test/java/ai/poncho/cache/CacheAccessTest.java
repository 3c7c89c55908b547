package ai.poncho.cache;

import static org.assertj.core.api.Assertions.assertThat;

import ai.poncho.testing.AuthClient;
import ai.poncho.testing.TestServer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** With auth on (issue 8's keys and roles): the purge is admin-only and answers never cross keys. */
class CacheAccessTest {

  private static final String MASTER = AuthClient.newMasterKey();
  private static TestServer server;
  private static AuthClient http;

  @BeforeAll
  static void start() {
    server = TestServer.start(AuthClient.config(MASTER).put("cache", new JsonObject().put("enabled", true)));
    http = new AuthClient(server);
  }

  @AfterAll
  static void stop() {
    http.close();
    server.close();
  }

  private static String key(String role, String team) {
    JsonObject body = AuthClient.key(role, "*");
    if (team != null) {
      body.put("team", team);
    }
    return http.createKey(MASTER, body).getString("key");
  }

  private static HttpResponse<Buffer> chat(String key, String text) {
    return http.send(HttpMethod.POST, "/v1/chat/completions", key, new JsonObject().put("model", "mock")
        .put("temperature", 0)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", text))));
  }

  @Test
  void onlyAnAdminMayPurgeTheCache() {
    assertThat(http.send(HttpMethod.DELETE, "/api/v1/cache", null, null).statusCode()).isEqualTo(401);
    HttpResponse<Buffer> user = http.send(HttpMethod.DELETE, "/api/v1/cache", key("user", null), null);
    assertThat(user.statusCode()).isEqualTo(403);
    assertThat(AuthClient.error(user).getString("type")).isEqualTo("permission_error");
    assertThat(http.send(HttpMethod.DELETE, "/api/v1/cache?model=mock", key("viewer", null), null).statusCode())
        .isEqualTo(403);
    assertThat(http.send(HttpMethod.DELETE, "/api/v1/cache", key("admin", null), null).statusCode()).isEqualTo(200);
    assertThat(http.send(HttpMethod.DELETE, "/api/v1/cache?model=mock", MASTER, null).statusCode()).isEqualTo(200);
  }

  @Test
  void oneKeyNeverGetsAnotherKeysAnswer() {
    String a = key("user", "fashion");
    String b = key("user", "fashion");
    assertThat(chat(a, "mine").getHeader("x-poncho-cache")).isEqualTo("miss");
    assertThat(chat(a, "mine").getHeader("x-poncho-cache")).isEqualTo("hit");
    assertThat(chat(b, "mine").getHeader("x-poncho-cache")).isEqualTo("miss");
  }
}
