package ai.poncho.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import ai.poncho.testing.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker/Dockerfile read as Docker reads it (instructions, continuation lines joined), since no Docker
 * engine runs here; and the image's health check run for real against a server.
 */
class DockerfileTest {

  @TempDir
  Path dir;

  private record Instruction(String keyword, String arguments) {
  }

  private static List<Instruction> instructions() throws IOException {
    List<Instruction> result = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : Files.readAllLines(Path.of("docker/Dockerfile"))) {
      String trimmed = line.strip();
      if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.isEmpty())) {
        continue;
      }
      if (trimmed.endsWith("\\")) {
        current.append(trimmed, 0, trimmed.length() - 1).append(' ');
        continue;
      }
      current.append(trimmed);
      String text = current.toString();
      current.setLength(0);
      int space = text.indexOf(' ');
      result.add(new Instruction(text.substring(0, space).toUpperCase(), text.substring(space + 1).strip()));
    }
    return result;
  }

  private static List<Instruction> runtimeStage(List<Instruction> all) {
    int last = 0;
    for (int i = 0; i < all.size(); i++) {
      if (all.get(i).keyword().equals("FROM")) {
        last = i;
      }
    }
    return all.subList(last, all.size());
  }

  @Test
  void buildsInAMavenStageAndRunsOnAJreAsNonRoot() throws IOException {
    List<Instruction> all = instructions();
    List<String> stages = all.stream().filter(i -> i.keyword().equals("FROM")).map(Instruction::arguments).toList();
    assertThat(stages).hasSize(2);
    assertThat(stages.get(0)).startsWith("maven:").endsWith(" AS build");
    assertThat(stages.get(1)).contains("java17").doesNotContain("jdk");

    List<Instruction> runtime = runtimeStage(all);
    assertThat(runtime).extracting(Instruction::keyword).doesNotContain("RUN", "ADD")
        .contains("USER", "HEALTHCHECK", "ENTRYPOINT", "LABEL", "VOLUME", "EXPOSE");
    String user = runtime.stream().filter(i -> i.keyword().equals("USER")).reduce((a, b) -> b).orElseThrow()
        .arguments();
    assertThat(user.split(":")[0]).isNotIn("root", "0");
    assertThat(value(runtime, "VOLUME")).contains("\"/tmp\"");
    assertThat(value(runtime, "EXPOSE")).contains("8080");
    assertThat(value(runtime, "LABEL")).contains("org.opencontainers.image.title=", "org.opencontainers.image.version=",
        "org.opencontainers.image.revision=");
    assertThat(value(runtime, "ENTRYPOINT")).startsWith("[").contains("\"-XX:MaxRAMPercentage=75\"",
        "\"-XX:+ExitOnOutOfMemoryError\"", "\"-Djava.io.tmpdir=/tmp\"", "\"-jar\"", "\"/app/ponchoai.jar\"");
    assertThat(value(runtime, "HEALTHCHECK")).contains("--interval=", "--timeout=", "--start-period=",
        "CMD [\"/usr/bin/java\"", "\"HealthCheck\"");
  }

  @Test
  void copiesOnlyWhatExistsAndWhatTheDockerignoreLetsThrough() throws IOException {
    List<String> allowed = Files.readAllLines(Path.of("docker/Dockerfile.dockerignore")).stream()
        .filter(line -> line.startsWith("!")).map(line -> line.substring(1).replaceAll("/$", "")).toList();
    for (Instruction copy : instructions()) {
      if (!copy.keyword().equals("COPY") || copy.arguments().contains("--from=")) {
        continue;
      }
      String[] words = copy.arguments().replaceAll("--\\S+", "").strip().split("\\s+");
      String source = words[0];
      assertThat(Path.of(source)).as(copy.arguments()).exists();
      assertThat(allowed).as("%s is in the build context", source).contains(source);
    }
    assertThat(Files.readString(Path.of("pom.xml"))).contains("<finalName>ponchoai</finalName>");
    assertThat(Files.readString(Path.of("docker/Dockerfile"))).contains("/src/target/ponchoai.jar");
  }

  @Test
  void healthCheckPassesOnAReadyServerAndFailsWithoutOne() throws Exception {
    assertThat(ToolProvider.getSystemJavaCompiler().run(null, null, null, "--release", "17", "-d", dir.toString(),
        "docker/HealthCheck.java")).isZero();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = List.of(java, "-Xmx16m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp",
        dir.toString(), "HealthCheck");
    try (TestServer server = TestServer.start()) {
      Tools.Result byPort = Tools.run(command, dir, Map.of("PONCHO_HTTP__PORT", String.valueOf(server.port())), 60);
      assertThat(byPort.status()).as(byPort.output()).isZero();
      List<String> live = new ArrayList<>(command);
      live.add(server.baseUrl() + "/health/live");
      assertThat(Tools.run(live, dir, Map.of(), 60).status()).isZero();
      List<String> missing = new ArrayList<>(command);
      missing.add(server.baseUrl() + "/no-such-page");
      Tools.Result notFound = Tools.run(missing, dir, Map.of(), 60);
      assertThat(notFound.status()).isEqualTo(1);
      assertThat(notFound.output()).contains("answered 404");
    }
    Tools.Result down = Tools.run(command, dir, Map.of("PONCHO_HTTP__PORT", String.valueOf(Tools.freePort())), 60);
    assertThat(down.status()).isEqualTo(1);
    assertThat(down.output()).contains("Connection refused");
  }

  private static String value(List<Instruction> stage, String keyword) {
    return stage.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::arguments)
        .reduce((a, b) -> a + "\n" + b).orElseThrow();
  }
}
