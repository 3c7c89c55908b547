package ai.poncho.http;

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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The official OpenAI Node SDK, unchanged, against a running PonchoAI: completions, streams, the
 * stream helper with tool calls, typed errors and model listing. Skipped where node/npm are missing.
 */
class OpenAiNodeSdkTest {

  private static final Path SOURCE = Path.of("src/test/resources/openai-sdk");
  private static final Path WORK = Path.of("target/openai-sdk");
  private static TestServer server;

  @BeforeAll
  static void installSdkAndStartServer() throws IOException, InterruptedException {
    assumeTrue(run(List.of("node", "--version"), 30) == 0, "node is not installed");
    Files.createDirectories(WORK);
    for (String file : List.of("package.json", "check.mjs")) {
      Files.copy(SOURCE.resolve(file), WORK.resolve(file), StandardCopyOption.REPLACE_EXISTING);
    }
    if (!Files.isDirectory(WORK.resolve("node_modules/openai"))) {
      assumeTrue(run(List.of("npm", "install", "--no-audit", "--no-fund", "--loglevel=error"), 300) == 0,
          "npm could not install the openai package");
    }
    server = TestServer.start();
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
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

  @Test
  void officialSdkWorksUnchanged() throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder("node", "check.mjs").directory(WORK.toFile());
    builder.environment().put("PONCHO_BASE_URL", server.baseUrl() + "/v1");
    Process process = builder.start();
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(stderr).isZero();
    JsonObject out = new JsonObject(stdout.substring(stdout.lastIndexOf('\n') + 1));

    assertThat(out.getString("content")).isEqualTo("Mock reply to: sdk hello");
    assertThat(out.getString("finishReason")).isEqualTo("stop");
    assertThat(out.getInteger("totalTokens")).isPositive();
    assertThat(out.getString("streamed")).isEqualTo("Mock reply to: sdk stream");
    assertThat(out.getInteger("streamUsage")).isEqualTo(5);
    assertThat(out.getString("helperContent")).isEqualTo("Mock reply to: sdk helper");
    assertThat(out.getString("toolName")).isEqualTo("get_weather");
    assertThat(out.getJsonObject("toolArguments").getString("query")).isEqualTo("weather in Quito");
    assertThat(out.getJsonObject("notFound")).isEqualTo(new JsonObject().put("isNotFound", true).put("status", 404)
        .put("code", "model_not_found").put("param", "model"));
    assertThat(out.getJsonObject("badRequest")).isEqualTo(new JsonObject().put("isBadRequest", true)
        .put("status", 400).put("param", "temperature"));
    assertThat(out.getJsonObject("midStream").getBoolean("isApiError")).isTrue();
    assertThat(out.getJsonObject("midStream").getString("message")).contains("failed after 2 chunks");
    assertThat(out.getJsonArray("models").getList()).containsExactly("mock");
    assertThat(out.getString("model")).isEqualTo("mock");
  }
}
