package ai.poncho.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real process: an invalid configuration prints every problem and exits non-zero. */
class MainProcessTest {

  @TempDir
  Path dir;

  @Test
  void invalidConfigurationExitsWithStatus2AndListsAllProblems() throws IOException, InterruptedException {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, """
        http:
          port: -5
        models:
          broken:
            provider: nope
            temperature: 9
        """, StandardCharsets.UTF_8);
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process process = new ProcessBuilder(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
        "ai.poncho.Main", "--config", file.toString())).redirectErrorStream(true).start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).isEqualTo(2);
    assertThat(output).contains("http.port: must be between 0 and 65535 (got -5)")
        .contains("models.broken.provider: must be one of")
        .contains("models.broken.temperature: must be between 0 and 2")
        .doesNotContain("Exception");
  }

  @Test
  void anUnparsableHazelcastFileIsAConfigurationProblem() throws IOException, InterruptedException {
    Path hazelcast = dir.resolve("hazelcast.xml");
    Files.writeString(hazelcast, "<hazelcast><network><port>x</port>", StandardCharsets.UTF_8);
    Path file = dir.resolve("cluster.yaml");
    Files.writeString(file, """
        cluster:
          enabled: true
          hazelcast_config: %s
        models:
          mock: {provider: mock}
        """.formatted(hazelcast), StandardCharsets.UTF_8);
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process process = new ProcessBuilder(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
        "ai.poncho.Main", "--config", file.toString())).redirectErrorStream(true).start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).isEqualTo(2);
    assertThat(output).contains("cluster.hazelcast_config: '" + hazelcast + "' is not a valid Hazelcast XML");
  }
}
