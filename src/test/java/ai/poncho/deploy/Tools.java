package ai.poncho.deploy;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * What the deployment-artifact tests share: running external tools (nginx, redis-server, bash,
 * shellcheck, node) and reading the repository's YAML. A tool that is missing skips its test on a
 * developer's machine and fails it in CI ({@code CI=true}), where {@code .ci/run} installs it.
 */
final class Tools {

  record Result(int status, String output) {
  }

  private Tools() {
  }

  static void require(String tool) {
    boolean present = available(tool);
    if (!present && "true".equals(System.getenv("CI"))) {
      throw new IllegalStateException(tool + " is not installed; .ci/run should have installed it");
    }
    assumeTrue(present, tool + " is not installed");
  }

  static boolean available(String tool) {
    try {
      return run(List.of("sh", "-c", "command -v " + tool), null, Map.of(), 20).status() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  static Result run(List<String> command, Path dir, Map<String, String> env, int seconds)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    if (dir != null) {
      builder.directory(dir.toFile());
    }
    builder.environment().putAll(env);
    Path log = Files.createTempFile("poncho-tool-", ".log");
    builder.redirectOutput(log.toFile());
    Process process = builder.start();
    try {
      if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        return new Result(-1, String.join(" ", command) + " did not end within " + seconds + "s\n"
            + Files.readString(log, StandardCharsets.UTF_8));
      }
      return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(log);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  static String read(String path) throws IOException {
    return Files.readString(Path.of(path), StandardCharsets.UTF_8);
  }

  /** Every document of a YAML file, as plain maps and lists. */
  static List<Map<String, Object>> yamlDocuments(Path file) throws IOException {
    List<Map<String, Object>> documents = new ArrayList<>();
    for (Object document : new Yaml(new LoaderOptions()).loadAll(Files.readString(file, StandardCharsets.UTF_8))) {
      if (document != null) {
        documents.add(map(document));
      }
    }
    return documents;
  }

  static Map<String, Object> yaml(Path file) throws IOException {
    List<Map<String, Object>> documents = yamlDocuments(file);
    if (documents.size() != 1) {
      throw new IllegalStateException(file + ": expected one YAML document, found " + documents.size());
    }
    return documents.get(0);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object value) {
    if (!(value instanceof Map)) {
      throw new IllegalStateException("expected a mapping, got " + value);
    }
    return (Map<String, Object>) value;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object value) {
    if (!(value instanceof List)) {
      throw new IllegalStateException("expected a list, got " + value);
    }
    return (List<Object>) value;
  }
}
