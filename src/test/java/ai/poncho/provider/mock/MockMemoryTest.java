package ai.poncho.provider.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The mock model's memory per stream does not grow with the reply: 100 clients that ask for 100,000-chunk
 * replies and read nothing fit a server started with a 256 MB heap, and an ordinary request is still
 * answered. The server runs in its own JVM so the heap limit is real.
 */
class MockMemoryTest {

  private Process server;
  private Path log;
  private final AtomicInteger port = new AtomicInteger();
  private final List<Socket> readers = new ArrayList<>();

  @BeforeEach
  void startServer() throws IOException {
    log = Files.createTempFile("poncho-mock-memory", ".log");
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"), "ai.poncho.Main")
        .redirectErrorStream(true);
    builder.environment().put("PONCHO_HTTP__HOST", "127.0.0.1");
    try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port.set(probe.getLocalPort());
    }
    // The test's logging config is on the class path and quiet, so the port is chosen here, not read back.
    builder.environment().put("PONCHO_HTTP__PORT", Integer.toString(port.get()));
    builder.environment().put("PONCHO_HTTP__ACCESS_LOG", "false");
    builder.environment().put("PONCHO_MODELS__MOCK__MAX_TOKENS", "10000000");
    builder.environment().put("PONCHO_METRICS__REGISTRY_NAME", "mock-memory");
    server = builder.start();
    Thread pump = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(),
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null) {
          Files.writeString(log, line + "\n", java.nio.file.StandardOpenOption.APPEND);
        }
      } catch (IOException ignored) {
        // the server is gone
      }
    });
    pump.setDaemon(true);
    pump.start();
    HttpClient client = HttpClient.newHttpClient();
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
        .until(() -> !server.isAlive() || client.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port.get() + "/health/ready")).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
    assertThat(server.isAlive()).as("server started").isTrue();
  }

  @AfterEach
  void stopServer() throws Exception {
    for (Socket reader : readers) {
      reader.close();
    }
    server.destroy();
    if (!server.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
      server.destroyForcibly();
    }
    Files.deleteIfExists(log);
  }

  private static String body(boolean stream, JsonObject metadata) {
    return new JsonObject().put("model", "mock").put("stream", stream).put("metadata", metadata)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user")
            .put("content", "a long answer please, as long as you can make it")))
        .encode();
  }

  @Test
  void pausedReadersOfHugeRepliesFitA256MbHeap() throws Exception {
    String request = body(true, new JsonObject().put("mock_chunks", 100_000).put("mock_tokens_per_chunk", 10));
    byte[] bytes = ("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        + "Content-Length: " + request.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + request)
        .getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < 100; i++) {
      Socket socket = new Socket();
      socket.setReceiveBufferSize(8 * 1024);
      socket.connect(new java.net.InetSocketAddress("127.0.0.1", port.get()));
      socket.getOutputStream().write(bytes);
      socket.getOutputStream().flush();
      readers.add(socket);
    }
    // Every reader got its stream going (the first bytes are there) and then stopped reading.
    for (Socket reader : readers) {
      reader.setSoTimeout(30_000);
      assertThat(reader.getInputStream().read()).isNotNegative();
    }

    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> ordinary = client.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + port.get() + "/v1/chat/completions"))
          .header("content-type", "application/json").timeout(Duration.ofSeconds(30))
          .POST(HttpRequest.BodyPublishers.ofString(body(false, new JsonObject()))).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(ordinary.statusCode()).isEqualTo(200);
      assertThat(new JsonObject(ordinary.body()).getJsonArray("choices")).hasSize(1);
    }
    assertThat(server.isAlive()).isTrue();
    assertThat(Files.readString(log)).doesNotContain("OutOfMemoryError");
  }
}
