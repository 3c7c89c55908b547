package ai.poncho.testing;

import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PonchoAI node as its own JVM process ({@code java -cp <test classpath> ai.poncho.Main}), started
 * from a configuration and logging to a file, so a test can kill it for real: {@link #kill()} is
 * {@code kill -9}, {@link #terminate()} is SIGTERM (a graceful drain).
 */
public final class NodeProcess implements AutoCloseable {

  private static final Pattern STARTED = Pattern.compile("PonchoAI started: .* on (http://[^:]+:(\\d+)|no HTTP)");

  private final String name;
  private final Process process;
  private final Path log;
  private int port = -1;

  private NodeProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /** Starts a node with {@code config} (JSON, which is YAML too); call {@link #awaitStarted} next. */
  public static NodeProcess start(Path dir, String name, JsonObject config) {
    try {
      Path file = dir.resolve(name + ".yaml");
      Files.writeString(file, config.encodePrettily(), StandardCharsets.UTF_8);
      Path log = dir.resolve(name + ".log");
      Path java = Path.of(System.getProperty("java.home"), "bin", "java");
      Process process = new ProcessBuilder(List.of(java.toString(), "-Xmx256m", "-XX:+UseSerialGC",
          "-XX:TieredStopAtLevel=1", "-Dvertx.disableDnsResolver=true",
          // The server's own logging (the tests' logback-test.xml would hide its start-up line).
          "-Dlogback.configurationFile=" + NodeProcess.class.getClassLoader().getResource("logback.xml"),
          "-cp", System.getProperty("java.class.path"),
          "ai.poncho.Main", "--config", file.toString()))
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      return new NodeProcess(name, process, log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits for the start-up line; returns this node's HTTP port (-1 when it serves no HTTP). */
  public int awaitStarted(Duration timeout) {
    try {
      awaitStartLine(timeout);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new IllegalStateException(name + " did not start within " + timeout + ":\n" + output(), e);
    }
    return port;
  }

  private void awaitStartLine(Duration timeout) {
    await().atMost(timeout).pollInterval(Duration.ofMillis(100)).until(() -> {
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + output());
      }
      Matcher m = STARTED.matcher(output());
      if (m.find()) {
        port = m.group(2) == null ? -1 : Integer.parseInt(m.group(2));
        return true;
      }
      return false;
    });
  }

  public int port() {
    return port;
  }

  public String output() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** {@code kill -9}: the node vanishes without leaving the cluster. */
  public void kill() {
    process.destroyForcibly();
  }

  /** SIGTERM: the node drains and leaves the cluster. */
  public void terminate() {
    process.destroy();
  }

  /** Waits for the process to end; its exit status. */
  public int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException(name + " did not exit within " + timeout + ":\n" + output());
    }
    return process.exitValue();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** A free port with {@code count - 1} free ports after it, for a cluster's Hazelcast members. */
  public static int freePortRange(int count) {
    for (int tries = 0; tries < 200; tries++) {
      int base = ThreadLocalRandom.current().nextInt(20_000, 40_000);
      boolean free = true;
      for (int i = 0; i < count && free; i++) {
        try (ServerSocket socket = new ServerSocket(base + i, 1, java.net.InetAddress.getLoopbackAddress())) {
          socket.setReuseAddress(true);
        } catch (IOException e) {
          free = false;
        }
      }
      if (free) {
        return base;
      }
    }
    throw new IllegalStateException("no free port range");
  }
}
