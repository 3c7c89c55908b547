package ai.poncho.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * loadtest/k6: k6 cannot be installed here, so the scripts are type-checked with tsc against @types/k6
 * (the k6 API and its option types: executors, thresholds, scenario fields) in strict mode.
 */
class K6ScriptsTest {

  private static final Path K6 = Path.of("loadtest/k6");
  private static final List<String> SCRIPTS = List.of("chat.js", "stream.js", "websocket.js", "prompt.js",
      "auth-ratelimit.js");

  @Test
  void everyScriptTypeChecksAgainstTheK6Api() throws Exception {
    NodeTools.install();
    Tools.Result result = typeCheck(null, null);
    assertThat(result.status()).as(result.output()).isZero();
  }

  @Test
  void theTypeCheckCatchesAMistypedScenario() throws Exception {
    NodeTools.install();
    Tools.Result result = typeCheck("constant-arrival-rate", "constant-arival-rate");
    assertThat(result.status()).isNotZero();
    assertThat(result.output()).contains("lib/poncho.js").contains("constant-arival-rate");
  }

  @Test
  void everyScriptHasThresholdsAndBothLoadShapes() throws IOException {
    String lib = Files.readString(K6.resolve("lib/poncho.js"));
    assertThat(lib).contains("\"constant-arrival-rate\"", "\"ramping-arrival-rate\"");
    for (String script : SCRIPTS) {
      String text = Files.readString(K6.resolve(script));
      assertThat(text).as(script).contains("export const options", "thresholds:");
      assertThat(text.contains("scenarios(") || (text.contains("\"constant-arrival-rate\"")
          && text.contains("\"ramping-arrival-rate\""))).as(script + " has both load shapes").isTrue();
      assertThat(text).as(script).containsPattern("p\\(9[59]\\)<\\d+");
    }
    assertThat(Files.readString(K6.resolve("stream.js"))).contains("new Trend(\"poncho_ttft\", true)",
        "new Trend(\"poncho_time_between_chunks\", true)");
    assertThat(Files.readString(K6.resolve("websocket.js"))).contains("from \"k6/websockets\"", "/api/v1/ws");
  }

  /** Copies the scripts next to the installed node_modules (optionally with one text replaced) and runs tsc. */
  private static Tools.Result typeCheck(String from, String to) throws Exception {
    Path work = Files.createDirectories(NodeTools.HOME.resolve("k6-" + ProcessHandle.current().pid() + "-"
        + System.nanoTime()));
    try {
      Files.createDirectories(work.resolve("lib"));
      try (Stream<Path> files = Files.walk(K6)) {
        for (Path file : files.filter(Files::isRegularFile).toList()) {
          String text = Files.readString(file);
          if (from != null) {
            text = text.replace(from, to);
          }
          Files.writeString(work.resolve(K6.relativize(file).toString()), text);
        }
      }
      return NodeTools.tsc(work, "-p", ".");
    } finally {
      try (Stream<Path> walk = Files.walk(work)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
