package ai.poncho.security;

import static ai.poncho.testing.AuthClient.error;
import static ai.poncho.testing.AuthClient.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.poncho.config.ConfigException;
import ai.poncho.config.PonchoConfig;
import ai.poncho.testing.AuthClient;
import ai.poncho.testing.LogCapture;
import ai.poncho.testing.TestServer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The open default, auth.enabled without a master key, failed-attempt bounds, the keys file and config checks. */
class AuthDefaultsTest {

  @Test
  void theEmbeddedDefaultIsOpenAndWarnsOnce() {
    try (TestServer server = TestServer.start(); AuthClient http = new AuthClient(server)) {
      assertThat(http.chat(null, "mock").statusCode()).isEqualTo(200);
      assertThat(http.chat("whatever", "mock").statusCode()).isEqualTo(200);
      assertThat(LogCapture.recentLines()).anyMatch(line -> line.contains("Authentication is OFF"));
    }
  }

  @Test
  void authEnabledWithoutAMasterKeyRefusesEverything() {
    JsonObject config = TestServer.config().put("auth", new JsonObject().put("enabled", true));
    try (TestServer server = TestServer.start(config); AuthClient http = new AuthClient(server)) {
      assertThat(http.chat(null, "mock").statusCode()).isEqualTo(401);
      assertThat(http.get("/api/v1/keys", "sk-poncho-x").statusCode()).isEqualTo(401);
      assertThat(http.get("/health/ready", null).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void tooManyFailedAttemptsFromOneAddressGet429BeforeAnyLookup() {
    String master = AuthClient.newMasterKey();
    JsonObject config = AuthClient.config(master);
    config.getJsonObject("auth").put("failed_attempts_per_minute", 3);
    try (TestServer server = TestServer.start(config); AuthClient http = new AuthClient(server)) {
      for (int i = 0; i < 3; i++) {
        assertThat(http.chat("sk-poncho-wrong" + i, "mock").statusCode()).isEqualTo(401);
      }
      HttpResponse<Buffer> blocked = http.chat("sk-poncho-wrong", "mock");
      assertThat(blocked.statusCode()).isEqualTo(429);
      assertThat(error(blocked).getString("code")).isEqualTo("too_many_failed_auth_attempts");
      assertThat(blocked.getHeader("Retry-After")).isNotNull();
      assertThat(http.chat(master, "mock").statusCode()).isEqualTo(429);
      assertThat(http.get("/health/live", null).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void keysSurviveARestartInTheKeysFile(@TempDir Path dir) throws Exception {
    String master = AuthClient.newMasterKey();
    Path file = dir.resolve("keys.json");
    JsonObject config = AuthClient.config(master);
    config.getJsonObject("auth").put("keys_file", file.toString());
    String secret;
    try (TestServer server = TestServer.start(config); AuthClient http = new AuthClient(server)) {
      secret = http.createKey(master, key("user").put("team", "ops")).getString("key");
    }
    String stored = Files.readString(file);
    assertThat(stored).contains("ops").doesNotContain(secret).contains(KeySecrets.hash(secret));
    try (TestServer server = TestServer.start(config); AuthClient http = new AuthClient(server)) {
      assertThat(http.chat(secret, "mock").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void badAuthSettingsAreReportedTogether() {
    JsonObject config = TestServer.config().put("auth", new JsonObject().put("master_key", "abc123xyz")
        .put("cache_ttl", "10m").put("failed_attempts_per_minute", -1));
    assertThatThrownBy(() -> PonchoConfig.from(config)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("auth.master_key").hasMessageContaining("auth.cache_ttl")
        .hasMessageContaining("auth.failed_attempts_per_minute").hasMessageNotContaining("abc123xyz");
  }
}
