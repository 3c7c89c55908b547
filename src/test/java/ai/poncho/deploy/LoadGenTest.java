package ai.poncho.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import ai.poncho.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * loadtest/LoadGen.java runs every scenario against a real server and counts what it sees: a short
 * run of each ends with successes only, and the streaming ones report first-token times and gaps.
 * (A correctness check of the tool; the numbers themselves are for loadtest/README.md.)
 */
class LoadGenTest {

  @TempDir
  static Path classes;

  private static TestServer server;

  @BeforeAll
  static void compileAndStart() {
    assertThat(ToolProvider.getSystemJavaCompiler().run(null, null, null, "--release", "17", "-d",
        classes.toString(), "loadtest/LoadGen.java")).isZero();
    server = TestServer.start();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"chat", "stream", "ws", "prompt"})
  void aShortRunSucceedsAndReportsItsMeasurements(String scenario) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Tools.Result result = Tools.run(List.of(java, "-cp", classes.toString(), "LoadGen", scenario,
        "--url", server.baseUrl(), "--duration", "1s", "--concurrency", "2", "--generations", "3",
        "--ttft-ms", "5", "--chunk-delay-ms", "2", "--chunks", "4"), null, Map.of(), 120);
    assertThat(result.status()).as(result.output()).isZero();
    String last = result.output().strip().lines().reduce((a, b) -> b).orElseThrow();
    JsonObject summary = new JsonObject(last);
    assertThat(summary.getString("scenario")).isEqualTo(scenario);
    assertThat(summary.getLong("ok")).isPositive();
    assertThat(summary.getLong("failed")).isZero();
    assertThat(summary.getJsonObject("latency_ms").getDouble("p50")).isPositive();
    if (scenario.equals("stream") || scenario.equals("ws")) {
      assertThat(summary.getJsonObject("ttft_ms").getDouble("p50")).isGreaterThanOrEqualTo(5.0);
      assertThat(summary.getJsonObject("gap_ms").getDouble("p50")).isPositive();
    }
  }
}
