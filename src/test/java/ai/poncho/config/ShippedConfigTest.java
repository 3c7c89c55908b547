package ai.poncho.config;

import static org.assertj.core.api.Assertions.assertThat;

import ai.poncho.testing.TestServer;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** conf/poncho.yaml starts without any environment, and its commented provider examples are valid when enabled. */
class ShippedConfigTest {

  @Test
  void theDefaultConfigNeedsNoEnvironmentAndTheExamplesAreValid() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      PonchoConfig plain = TestServer.await(ConfigLoader.load(vertx, ConfigLoader.DEFAULT_PATH, Map.of()));
      assertThat(plain.models()).containsOnlyKeys("mock", "mock-embedding");

      // Uncomment the example model entries (lines "  # name:" and deeper), keeping pure comments out.
      StringBuilder enabled = new StringBuilder();
      for (String line : Files.readAllLines(Path.of(ConfigLoader.DEFAULT_PATH))) {
        boolean example = line.matches("  # *([a-z0-9_-]+:( .*)?|- [a-z_]+:.*)");
        enabled.append(example ? "  " + line.substring(4) : line).append('\n');
      }
      Path file = Files.createTempFile("poncho-examples", ".yaml");
      Files.writeString(file, enabled);
      Map<String, String> env = Map.of("DEEPSEEK_API_KEY", "k", "ZAI_API_KEY", "k", "OPENAI_API_KEY", "k",
          "ANTHROPIC_API_KEY", "k", "PROXY_API_KEY", "k");
      PonchoConfig examples = TestServer.await(ConfigLoader.load(vertx, file.toString(), env));
      assertThat(examples.models().keySet()).contains("deepseek-chat", "deepseek-reasoner", "glm-chat", "glm-vision",
          "gpt-4o", "claude", "llama", "qwen", "chat");
      assertThat(examples.models().get("glm-vision").supports().vision()).isTrue();
      assertThat(examples.models().get("chat").deployments()).hasSize(2);
      assertThat(examples.models().get("deepseek-chat").fallbacks()).containsExactly("glm-chat");
      Files.delete(file);
    } finally {
      TestServer.await(vertx.close());
    }
  }
}
