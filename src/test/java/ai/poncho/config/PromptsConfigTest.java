package ai.poncho.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.poncho.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PromptsConfigTest {

  @Test
  void defaultsAreSafe() {
    PromptsConfig prompts = PonchoConfig.from(TestServer.config()).prompts();
    assertThat(prompts.dir()).isEqualTo("conf/prompts");
    assertThat(prompts.reloadInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(prompts.mediaSchemes()).containsExactly("https", "data");
    assertThat(prompts.mediaDataTypes()).containsExactly("image/*", "audio/*");
    assertThat(prompts.toolsDir()).isEqualTo("conf/tools");
    assertThat(prompts.mediaAllowPrivateHosts()).isFalse();
    assertThat(prompts.maxPartialDepth()).isEqualTo(8);
  }

  @Test
  void everyBadValueIsReportedWithItsPath() {
    JsonObject json = TestServer.config().put("prompts", new JsonObject()
        .put("reload_interval", "5ms")
        .put("cache", new JsonObject().put("max_size", 0))
        .put("limits", new JsonObject().put("render_timeout", "soon").put("max_partial_depth", 1000))
        .put("media", new JsonObject().put("schemes", new JsonArray().add("https").add("file"))));
    assertThatThrownBy(() -> PonchoConfig.from(json)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("prompts.reload_interval")
        .hasMessageContaining("prompts.cache.max_size")
        .hasMessageContaining("prompts.limits.render_timeout")
        .hasMessageContaining("prompts.limits.max_partial_depth")
        .hasMessageContaining("prompts.media.schemes");
  }

  @Test
  void httpAndPrivateHostsCanBeAllowed() {
    JsonObject json = TestServer.config().put("prompts", new JsonObject().put("media", new JsonObject()
        .put("schemes", new JsonArray().add("HTTPS").add("http")).put("allow_private_hosts", true)));
    PromptsConfig prompts = PonchoConfig.from(json).prompts();
    assertThat(prompts.mediaSchemes()).isEqualTo(List.of("https", "http"));
    assertThat(prompts.mediaAllowPrivateHosts()).isTrue();
  }
}
