package ai.poncho.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import ai.poncho.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * docker/nginx.conf: {@code nginx -t} accepts it with each optional part on and off, and a real nginx
 * running it in front of a real PonchoAI (plus one dead replica) proxies JSON, SSE unbuffered and
 * WebSocket, passes X-Request-Id through, adds the security headers and answers its own errors as
 * OpenAI-style JSON.
 */
class NginxConfigTest {

  private static final Path DOCKER = Path.of("docker");

  @TempDir
  Path dir;

  @BeforeAll
  static void nginxInstalled() {
    Tools.require("nginx");
  }

  @ParameterizedTest(name = "TLS {0}, edge rate limit {1}")
  @CsvSource({"off,off", "on,off", "off,on", "on,on"})
  void nginxAcceptsTheConfiguration(String tls, String limit) throws IOException, InterruptedException {
    Path conf = layOut(tls, limit, Map.of());
    // The upstream names exist only on the compose network: they resolve to loopback in a private
    // mount namespace with its own /etc/hosts, so the file is tested as shipped.
    Path hosts = dir.resolve("hosts");
    Files.writeString(hosts, "127.0.0.1 localhost ponchoai-1 ponchoai-2\n");
    String test = "nginx -t -p " + dir + " -c " + conf;
    Tools.Result result = Tools.run(List.of("unshare", "-m", "sh", "-c",
        "mount --bind " + hosts + " /etc/hosts && " + test), dir, Map.of(), 60);
    if (result.output().contains("unshare:") || result.output().contains("mount:")) {
      Files.writeString(conf, Files.readString(conf).replace("ponchoai-1:", "127.0.0.1:")
          .replace("ponchoai-2:", "127.0.0.2:"));
      result = Tools.run(List.of("sh", "-c", test), dir, Map.of(), 60);
    }
    assertThat(result.status()).as(result.output()).isZero();
    assertThat(result.output()).contains("test is successful").doesNotContain("[warn]");
  }

  @Test
  void proxiesChatStreamsAndWebSocketsToTheLiveReplica() throws Exception {
    TestServer server = TestServer.start();
    int port = Tools.freePort();
    Process nginx = startNginx("off", port, Tools.freePort(), server.port());
    HttpClient http = client();
    String base = "http://127.0.0.1:" + port;
    try {
      awaitUp(http, base);

      // Half of these are first sent to the dead replica: nginx moves on to the live one.
      for (int i = 0; i < 6; i++) {
        HttpResponse<String> response = http.send(chat(base, "{\"model\":\"mock\",\"messages\":[{\"role\":\"user\","
            + "\"content\":\"through nginx\"}]}").header("X-Request-Id", "req-nginx-" + i).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(new JsonObject(response.body()).getJsonArray("choices").getJsonObject(0)
            .getJsonObject("message").getString("content")).isEqualTo("Mock reply to: through nginx");
        assertThat(response.headers().firstValue("x-request-id")).hasValue("req-nginx-" + i);
        assertThat(response.headers().firstValue("x-content-type-options")).hasValue("nosniff");
        assertThat(response.headers().firstValue("x-frame-options")).hasValue("DENY");
        assertThat(response.headers().firstValue("referrer-policy")).hasValue("no-referrer");
        assertThat(response.headers().firstValue("content-security-policy")).isPresent();
        assertThat(response.headers().firstValue("strict-transport-security")).isEmpty();
        assertThat(response.headers().firstValue("server")).hasValue("nginx");
        assertThat(response.headers().firstValue("retry-after")).isEmpty();
      }

      // SSE is not buffered: events arrive as the replica writes them, 300 ms apart.
      List<Long> arrivals = new ArrayList<>();
      List<String> events = new ArrayList<>();
      HttpResponse<Stream<String>> stream = http.send(chat(base, "{\"model\":\"mock\",\"stream\":true,"
          + "\"metadata\":{\"mock_chunks\":5,\"mock_chunk_delay_ms\":300},"
          + "\"messages\":[{\"role\":\"user\",\"content\":\"one two three four five\"}]}").build(),
          HttpResponse.BodyHandlers.ofLines());
      assertThat(stream.statusCode()).isEqualTo(200);
      assertThat(stream.headers().firstValue("content-type")).hasValueSatisfying(
          type -> assertThat(type).startsWith("text/event-stream"));
      stream.body().filter(line -> line.startsWith("data: ")).forEach(line -> {
        arrivals.add(System.nanoTime());
        events.add(line);
      });
      assertThat(events).last().isEqualTo("data: [DONE]");
      assertThat(events.size()).isGreaterThanOrEqualTo(6);
      assertThat(TimeUnit.NANOSECONDS.toMillis(arrivals.get(arrivals.size() - 1) - arrivals.get(0)))
          .as("time between the first and the last event").isGreaterThan(800);

      // WebSocket upgrade through nginx: one generation, start to done.
      CompletableFuture<String> done = new CompletableFuture<>();
      WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + port + "/api/v1/ws"),
          new WebSocket.Listener() {
            private final StringBuilder text = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
              text.append(data);
              if (last) {
                JsonObject frame = new JsonObject(text.toString());
                text.setLength(0);
                if (!"chunk".equals(frame.getString("type"))) {
                  done.complete(frame.encode());
                }
              }
              webSocket.request(1);
              return null;
            }
          }).get(10, TimeUnit.SECONDS);
      socket.sendText("{\"type\":\"chat\",\"id\":\"w1\",\"request\":{\"model\":\"mock\","
          + "\"messages\":[{\"role\":\"user\",\"content\":\"hi ws\"}]}}", true);
      JsonObject end = new JsonObject(done.get(10, TimeUnit.SECONDS));
      assertThat(end.getString("type")).isEqualTo("done");
      assertThat(end.getString("id")).isEqualTo("w1");
      assertThat(end.getString("finish_reason")).isEqualTo("stop");
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");

      HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(metrics.statusCode()).isEqualTo(404);
      assertThat(new JsonObject(metrics.body()).getJsonObject("error").getString("code")).isEqualTo("not_found");

      HttpResponse<String> tooLarge = http.send(chat(base, "{\"model\":\"mock\",\"messages\":[{\"role\":\"user\","
          + "\"content\":\"" + "x".repeat(11 * 1024 * 1024) + "\"}]}").build(), HttpResponse.BodyHandlers.ofString());
      assertThat(tooLarge.statusCode()).isEqualTo(413);
      assertThat(new JsonObject(tooLarge.body()).getJsonObject("error").getString("code"))
          .isEqualTo("request_too_large");
      assertThat(tooLarge.headers().firstValue("x-content-type-options")).hasValue("nosniff");

      server.close();
      server = null;
      HttpResponse<String> down = http.send(chat(base, "{\"model\":\"mock\",\"messages\":[{\"role\":\"user\","
          + "\"content\":\"anyone?\"}]}").build(), HttpResponse.BodyHandlers.ofString());
      assertThat(down.statusCode()).isEqualTo(503);
      assertThat(new JsonObject(down.body()).getJsonObject("error").getString("code"))
          .isEqualTo("service_unavailable");
    } finally {
      stop(nginx);
      if (server != null) {
        server.close();
      }
    }
  }

  @Test
  void theEdgeRateLimitAnswers429AsJsonWithRetryAfter() throws Exception {
    int port = Tools.freePort();
    Process nginx = startNginx("on", port, Tools.freePort(), Tools.freePort());
    HttpClient http = client();
    String base = "http://127.0.0.1:" + port;
    try {
      awaitUp(http, base);
      // Well past the burst of 100 at once: the rest are refused at the edge, before any replica is
      // tried (both are down here, so the ones let through get 503).
      List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        calls.add(http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/v1/models")).build(),
            HttpResponse.BodyHandlers.ofString()));
      }
      List<HttpResponse<String>> limited = new ArrayList<>();
      for (CompletableFuture<HttpResponse<String>> call : calls) {
        HttpResponse<String> response = call.get(30, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isIn(503, 429);
        if (response.statusCode() == 429) {
          limited.add(response);
        }
      }
      assertThat(limited).isNotEmpty();
      HttpResponse<String> refused = limited.get(0);
      assertThat(new JsonObject(refused.body()).getJsonObject("error").getString("code"))
          .isEqualTo("rate_limit_exceeded");
      assertThat(refused.headers().firstValue("retry-after")).hasValue("1");
      assertThat(refused.headers().firstValue("x-content-type-options")).hasValue("nosniff");
    } finally {
      stop(nginx);
    }
  }

  /** The shipped config on a loopback port, the two replicas at the given ports, in the foreground. */
  private Process startNginx(String edgeLimit, int port, int replica1, int replica2) throws Exception {
    Path conf = layOut("off", edgeLimit, Map.of(
        "listen 80 default_server;", "listen 127.0.0.1:" + port + " default_server;",
        "server ponchoai-1:8080", "server 127.0.0.1:" + replica1,
        "server ponchoai-2:8080", "server 127.0.0.1:" + replica2,
        "pid /tmp/nginx.pid;", "pid " + dir.resolve("nginx.pid") + ";"));
    return new ProcessBuilder("nginx", "-p", dir.toString(), "-c", conf.toString(), "-g", "daemon off;")
        .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.log").toFile()).start();
  }

  private static HttpClient client() {
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  }

  private static void stop(Process nginx) throws InterruptedException {
    nginx.destroy();
    if (!nginx.waitFor(10, TimeUnit.SECONDS)) {
      nginx.destroyForcibly();
    }
  }

  private static HttpRequest.Builder chat(String base, String body) {
    return HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions")).timeout(Duration.ofSeconds(30))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
  }

  private static void awaitUp(HttpClient http, String base) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      try {
        if (http.send(HttpRequest.newBuilder(URI.create(base + "/nginx-health")).build(),
            HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        TimeUnit.MILLISECONDS.sleep(100);
      }
    }
    throw new IllegalStateException("nginx did not start");
  }

  /** The shipped files in a folder of their own, the include paths pointing there. */
  private Path layOut(String tls, String limit, Map<String, String> replacements) throws IOException,
      InterruptedException {
    Path included = Files.createDirectories(dir.resolve("ponchoai"));
    Path certs = Files.createDirectories(dir.resolve("tls"));
    String main = Files.readString(DOCKER.resolve("nginx.conf"), StandardCharsets.UTF_8)
        .replace("/etc/nginx/ponchoai/", included + "/");
    for (Map.Entry<String, String> replacement : replacements.entrySet()) {
      assertThat(main).contains(replacement.getKey());
      main = main.replace(replacement.getKey(), replacement.getValue());
    }
    Files.writeString(dir.resolve("nginx.conf"), main);
    Files.writeString(included.resolve("tls.conf"), Files.readString(DOCKER.resolve("nginx/tls-" + tls + ".conf"))
        .replace("/etc/nginx/tls/", certs + "/"));
    Files.copy(DOCKER.resolve("nginx/edge-limit-" + limit + ".conf"), included.resolve("edge-limit.conf"));
    if (tls.equals("on")) {
      Tools.Result cert = Tools.run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
          "-keyout", certs.resolve("tls.key").toString(), "-out", certs.resolve("tls.crt").toString(),
          "-subj", "/CN=localhost", "-days", "1"), dir, Map.of(), 60);
      assertThat(cert.status()).as(cert.output()).isZero();
    }
    return dir.resolve("nginx.conf");
  }
}
