package ai.poncho.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real process: an invalid configuration prints every problem and exits non-zero; {@code --check-config}
 * validates (file and environment overrides) and exits without starting anything.
 */
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
    Result result = run(Map.of(), "--config", file.toString());
    assertThat(result.status()).isEqualTo(2);
    assertThat(result.output()).contains("http.port: must be between 0 and 65535 (got -5)")
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
    Result result = run(Map.of(), "--config", file.toString());
    assertThat(result.status()).isEqualTo(2);
    assertThat(result.output()).contains("cluster.hazelcast_config: '" + hazelcast + "' is not a valid Hazelcast XML");
  }

  @Test
  void checkConfigAcceptsTheShippedConfigurationAndExits0WithoutStarting() throws IOException, InterruptedException {
    Result result = run(Map.of(), "--check-config", "--config", "conf/poncho.yaml");
    assertThat(result.status()).isZero();
    assertThat(result.output()).contains("Configuration OK: conf/poncho.yaml (models: mock, mock-embedding)")
        .doesNotContain("PonchoAI started");
  }

  @Test
  void checkConfigListsEveryProblemAndExits2() throws IOException, InterruptedException {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, """
        http:
          max_body_size: lots
        default_model: nowhere
        models:
          broken:
            provider: nope
        """, StandardCharsets.UTF_8);
    Result result = run(Map.of("PONCHO_HTTP__PORT", "70000"), "--config=" + file, "--check-config");
    assertThat(result.status()).isEqualTo(2);
    assertThat(result.output()).contains("Invalid configuration in " + file)
        .contains("http.port: must be between 0 and 65535 (got 70000)")
        .contains("http.max_body_size:")
        .contains("default_model: names no configured model ('nowhere')")
        .contains("models.broken.provider: must be one of")
        .doesNotContain("Exception").doesNotContain("Configuration OK");
  }

  @Test
  void checkConfigReportsAnUnreadableFileWithStatus2() throws IOException, InterruptedException {
    Path file = dir.resolve("broken.yaml");
    Files.writeString(file, "http: [unclosed\n", StandardCharsets.UTF_8);
    Result result = run(Map.of(), "--check-config", "--config", file.toString());
    assertThat(result.status()).isEqualTo(2);
    assertThat(result.output()).contains(file + ": cannot be read as YAML");
  }

  private record Result(int status, String output) {
  }

  private static Result run(Map<String, String> env, String... args) throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command = new ArrayList<>(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
        "ai.poncho.Main"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process process = builder.start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }
}
