package ai.poncho.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.poncho.testing.Metrics;
import ai.poncho.testing.TestServer;
import io.vertx.core.Vertx;
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
 * The official OpenAI Node SDK, unchanged, accepts cached answers replayed as streams (content, usage,
 * tool calls, the stream helper's final completion). Skipped where node/npm are missing.
 */
class CacheOpenAiSdkTest {

  private static final Path SOURCE = Path.of("src/test/resources/openai-sdk");
  private static final Path WORK = Path.of("target/openai-sdk");
  private static TestServer server;

  @BeforeAll
  static void installSdkAndStartServer() throws IOException, InterruptedException {
    assumeTrue(run(List.of("node", "--version"), 30) == 0, "node is not installed");
    Files.createDirectories(WORK);
    for (String file : List.of("package.json", "cache-check.mjs")) {
      Files.copy(SOURCE.resolve(file), WORK.resolve(file), StandardCopyOption.REPLACE_EXISTING);
    }
    if (!Files.isDirectory(WORK.resolve("node_modules/openai"))) {
      assumeTrue(run(List.of("npm", "install", "--no-audit", "--no-fund", "--loglevel=error"), 300) == 0,
          "npm could not install the openai package");
    }
    server = TestServer.start(TestServer.config().put("cache", new JsonObject().put("enabled", true)));
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
  void theSdkAcceptsCachedAnswersReplayedAsStreams() throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder("node", "cache-check.mjs").directory(WORK.toFile());
    builder.environment().put("PONCHO_BASE_URL", server.baseUrl() + "/v1");
    Process process = builder.start();
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(stderr).isZero();
    JsonObject out = new JsonObject(stdout.substring(stdout.lastIndexOf('\n') + 1));

    assertThat(out.getString("content")).isEqualTo("Mock reply to: sdk cache");
    assertThat(out.getString("firstCache")).isEqualTo("miss");
    assertThat(out.getString("streamCache")).isEqualTo("hit");
    assertThat(out.getString("streamed")).isEqualTo(out.getString("content"));
    assertThat(out.getString("streamFinish")).isEqualTo("stop");
    assertThat(out.getInteger("streamUsage")).isPositive();
    assertThat(out.getString("helperContent")).isEqualTo(out.getString("content"));
    assertThat(out.getString("helperFinish")).isEqualTo("stop");
    assertThat(out.getBoolean("toolSame")).isTrue();
    assertThat(out.getString("toolName")).isEqualTo("get_weather");
    assertThat(out.getString("toolFinish")).isEqualTo("tool_calls");

    Vertx vertx = Vertx.vertx();
    try {
      String scrape = TestServer.await(server.webClient(vertx).get("/metrics").send()).bodyAsString();
      assertThat(Metrics.sum(scrape, "poncho_cache_hits_total", "model=\"mock\"")).isEqualTo(3);
      assertThat(Metrics.sum(scrape, "poncho_cache_misses_total", "model=\"mock\"")).isEqualTo(2);
    } finally {
      TestServer.await(vertx.close());
    }
  }
}
