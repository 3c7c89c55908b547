package ai.poncho.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.poncho.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The official OpenAI Node SDK's own retry on 429 succeeds once the window allows: Retry-After (and
 * retry-after-ms) tell it how long. A 2-second window keeps the test short. Skipped without node/npm.
 */
class OpenAiSdkRetryTest {

  private static final Path SOURCE = Path.of("src/test/resources/openai-sdk");
  private static final Path WORK = Path.of("target/openai-sdk");

  @Test
  void theSdkRetriesA429AfterRetryAfterAndSucceeds() throws IOException, InterruptedException {
    assumeTrue(run(List.of("node", "--version"), 30) == 0, "node is not installed");
    Files.createDirectories(WORK);
    for (String file : List.of("package.json", "retry.mjs")) {
      Files.copy(SOURCE.resolve(file), WORK.resolve(file), StandardCopyOption.REPLACE_EXISTING);
    }
    if (!Files.isDirectory(WORK.resolve("node_modules/openai"))) {
      assumeTrue(run(List.of("npm", "install", "--no-audit", "--no-fund", "--loglevel=error"), 300) == 0,
          "npm could not install the openai package");
    }
    JsonObject config = TestServer.config().put("limits", new JsonObject().put("window", "2s")
        .put("default", new JsonObject().put("rpm", 1)));
    try (TestServer server = TestServer.start(config)) {
      ProcessBuilder builder = new ProcessBuilder("node", "retry.mjs").directory(WORK.toFile());
      builder.environment().put("PONCHO_BASE_URL", server.baseUrl() + "/v1");
      Process process = builder.start();
      assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
      String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.exitValue()).as(stderr).isZero();
      JsonObject out = new JsonObject(stdout.substring(stdout.lastIndexOf('\n') + 1));
      assertThat(out.getString("first")).isEqualTo("Mock reply to: first");
      assertThat(out.getString("second")).isEqualTo("Mock reply to: second");
      assertThat(out.getLong("waitedMs")).isGreaterThanOrEqualTo(1000);
      assertThat(out.getString("limit")).isEqualTo("1");
    }
  }

  private static int run(List<String> command, int seconds) throws IOException, InterruptedException {
    Process process;
    try {
      process = new ProcessBuilder(command).directory(WORK.toFile().exists() ? WORK.toFile() : null)
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException notInstalled) {
      return -1;
    }
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return -1;
    }
    return process.exitValue();
  }
}
