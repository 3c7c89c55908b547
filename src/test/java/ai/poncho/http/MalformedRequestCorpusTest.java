package ai.poncho.http;

import static org.assertj.core.api.Assertions.assertThat;

import ai.poncho.testing.LogCapture;
import ai.poncho.testing.Metrics;
import ai.poncho.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Whatever a client sends, the answer is never a 5xx (but 505 for a version we do not speak) and always
 * OpenAI error JSON with an x-request-id: request lines, header forms, Host forms, encodings and bodies
 * sent byte for byte over a raw socket, as an attacker's tool would.
 */
class MalformedRequestCorpusTest {

  private static TestServer server;

  @BeforeAll
  static void startServer() {
    server = TestServer.start();
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  /** A parsed HTTP/1.x answer: status, headers (lower-case names) and body. */
  record Answer(int status, List<String[]> headers, String body) {
    String header(String name) {
      return headers.stream().filter(h -> h[0].equals(name)).map(h -> h[1]).findFirst().orElse(null);
    }

    JsonObject error() {
      return new JsonObject(body).getJsonObject("error");
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  private static byte[] chat(byte[] body) {
    return concat(bytes("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n"), body);
  }

  /** Sends the bytes, reads the first response (the server may close after it). */
  static Answer send(byte[] request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(request);
      out.flush();
      return read(socket.getInputStream());
    }
  }

  private static Answer read(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int state = 0;
    while (state < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed before a complete response head: " + head);
      }
      head.write(b);
      state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1
          : b == '\r' ? 1 : 0;
    }
    String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    List<String[]> headers = new ArrayList<>();
    int length = -1;
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      String name = lines[i].substring(0, colon).trim().toLowerCase();
      String value = lines[i].substring(colon + 1).trim();
      headers.add(new String[] {name, value});
      if (name.equals("content-length")) {
        length = Integer.parseInt(value);
      }
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (length >= 0) {
      body.writeBytes(in.readNBytes(length));
    } else {
      try {
        in.transferTo(body);
      } catch (SocketTimeoutException ignored) {
        // a chunked or unbounded body: what arrived is enough for the checks
      }
    }
    return new Answer(status, headers, body.toString(StandardCharsets.UTF_8));
  }

  static Stream<Arguments> corpus() {
    String get = "GET /v1/models HTTP/1.1\r\n";
    return Stream.of(
        // request lines
        Arguments.of("garbage line", bytes("GARBAGE\r\n\r\n")),
        Arguments.of("no version", bytes("GET /v1/models\r\nHost: a\r\n\r\n")),
        Arguments.of("lower-case version", bytes("GET /v1/models http/1.1\r\nHost: a\r\n\r\n")),
        Arguments.of("unknown version", bytes("GET /v1/models HTTP/2.5\r\nHost: a\r\n\r\n")),
        Arguments.of("HTTP/3.0", bytes("GET /v1/models HTTP/3.0\r\nHost: a\r\n\r\n")),
        Arguments.of("h2 preface", bytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")),
        Arguments.of("bad method", bytes("G(T /v1/models HTTP/1.1\r\nHost: a\r\n\r\n")),
        Arguments.of("unknown method", bytes("BREW /v1/models HTTP/1.1\r\nHost: a\r\n\r\n")),
        Arguments.of("absolute URI, other host", bytes("GET http://evil.example/v1/models HTTP/1.1\r\nHost: a\r\n\r\n")),
        Arguments.of("asterisk URI", bytes("GET * HTTP/1.1\r\nHost: a\r\n\r\n")),
        Arguments.of("bad percent-encoding", bytes("GET /v1/models/%ZZ HTTP/1.1\r\nHost: a\r\n\r\n")),
        Arguments.of("truncated percent-encoding", bytes("GET /v1/models/% HTTP/1.1\r\nHost: a\r\n\r\n")),
        Arguments.of("encoded NUL", bytes("GET /v1/models/%00 HTTP/1.1\r\nHost: a\r\n\r\n")),
        Arguments.of("encoded traversal", bytes("GET /v1/%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: a\r\n\r\n")),
        Arguments.of("raw non-ASCII path", bytes("GET /v1/models/h\u00e9llo HTTP/1.1\r\nHost: a\r\n\r\n")),
        Arguments.of("control byte in path", bytes("GET /v1/mo\u0001dels HTTP/1.1\r\nHost: a\r\n\r\n")),
        Arguments.of("overlong URI", bytes("GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: a\r\n\r\n")),
        Arguments.of("query of brackets", bytes("GET /v1/models?[[[=]]] HTTP/1.1\r\nHost: a\r\n\r\n")),
        // header forms
        Arguments.of("header without colon", bytes(get + "Host: a\r\nNoColonHere\r\n\r\n")),
        Arguments.of("space before colon", bytes(get + "Host : a\r\n\r\n")),
        Arguments.of("obs-fold", bytes(get + "Host: a\r\nX-A: b\r\n c\r\n\r\n")),
        Arguments.of("bare LF line ends", bytes("GET /v1/models HTTP/1.1\nHost: a\n\n")),
        Arguments.of("NUL in header value", bytes(get + "Host: a\r\nX-A: b\u0000c\r\n\r\n")),
        Arguments.of("huge header", bytes(get + "Host: a\r\nX-A: " + "b".repeat(20_000) + "\r\n\r\n")),
        Arguments.of("very many headers", bytes(get + "Host: a\r\n" + "X-A: b\r\n".repeat(3_000) + "\r\n")),
        Arguments.of("odd x-request-id", bytes(get + "Host: a\r\nx-request-id: \u00ff\u00fe bad id\r\n\r\n")),
        Arguments.of("bad content-length", bytes("POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\n"
            + "Content-Type: application/json\r\nContent-Length: abc\r\n\r\n{}")),
        Arguments.of("negative content-length", bytes("POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\n"
            + "Content-Type: application/json\r\nContent-Length: -1\r\n\r\n{}")),
        Arguments.of("two different content-lengths", bytes("POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\n"
            + "Content-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}")),
        Arguments.of("content-length and chunked", bytes("POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\n"
            + "Content-Type: application/json\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")),
        Arguments.of("unknown transfer-encoding", bytes("POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\n"
            + "Content-Type: application/json\r\nTransfer-Encoding: gzip, zork\r\n\r\n{}")),
        Arguments.of("bad chunk size", bytes("POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\n"
            + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n")),
        Arguments.of("gzip body that is not gzip", bytes("POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\n"
            + "Content-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: 2\r\n\r\n{}")),
        // Host forms
        Arguments.of("no Host", bytes(get + "\r\n")),
        Arguments.of("two Hosts", bytes(get + "Host: a\r\nHost: b\r\n\r\n")),
        Arguments.of("Host with space", bytes(get + "Host: a b\r\n\r\n")),
        Arguments.of("Host unclosed bracket", bytes(get + "Host: [::1\r\n\r\n")),
        Arguments.of("Host non-ASCII", bytes(get + "Host: h\u00e9llo\r\n\r\n")),
        Arguments.of("Host space and port", bytes(get + "Host: exa mple.com:80\r\n\r\n")),
        Arguments.of("Host port too large", bytes(get + "Host: x:99999\r\n\r\n")),
        Arguments.of("Host bad IP literal", bytes(get + "Host: [zz]:80\r\n\r\n")),
        Arguments.of("Host double dot", bytes(get + "Host: a..b\r\n\r\n")),
        Arguments.of("Host only port", bytes(get + "Host: :80\r\n\r\n")),
        Arguments.of("Host empty", bytes(get + "Host: \r\n\r\n")),
        Arguments.of("Host letters as port", bytes(get + "Host: a:http\r\n\r\n")),
        Arguments.of("Host userinfo", bytes(get + "Host: user@a\r\n\r\n")),
        Arguments.of("Host IPv6", bytes(get + "Host: [::1]:8080\r\n\r\n")),
        Arguments.of("Host IPvFuture", bytes(get + "Host: [v1.fe80::a+en1]\r\n\r\n")),
        Arguments.of("Host percent-encoded", bytes(get + "Host: a%41b\r\n\r\n")),
        Arguments.of("Host bad percent", bytes(get + "Host: a%zz\r\n\r\n")),
        Arguments.of("HTTP/1.0 without Host", bytes("GET /v1/models HTTP/1.0\r\n\r\n")),
        // bodies and encodings
        Arguments.of("overlong UTF-8 slash", chat(concat(bytes("{\"model\":\"mock\",\"messages\":[{\"role\":\"user\","
            + "\"content\":\"a"), new byte[] {(byte) 0xC0, (byte) 0xAF}, bytes("\"}]}")))),
        Arguments.of("lone surrogate", chat(concat(bytes("{\"model\":\"mock\",\"messages\":[{\"role\":\"user\","
            + "\"content\":\"a"), new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, bytes("\"}]}")))),
        Arguments.of("truncated UTF-8", chat(concat(bytes("{\"model\":\"mock\",\"messages\":[{\"role\":\"user\","
            + "\"content\":\"a"), new byte[] {(byte) 0xE2, (byte) 0x82}, bytes("\"}]}")))),
        Arguments.of("UTF-16 body", chat("{\"model\":\"mock\"}".getBytes(StandardCharsets.UTF_16))),
        Arguments.of("deep nesting", chat(bytes("[".repeat(5_000) + "]".repeat(5_000)))),
        Arguments.of("deep object nesting", chat(bytes("{\"a\":".repeat(3_000) + "1" + "}".repeat(3_000)))),
        Arguments.of("huge number", chat(bytes("{\"model\":\"mock\",\"temperature\":1" + "0".repeat(5_000) + "}"))),
        Arguments.of("truncated JSON", chat(bytes("{\"model\":\"mock\",\"messages\":["))),
        Arguments.of("JSON array", chat(bytes("[1,2,3]"))),
        Arguments.of("JSON null", chat(bytes("null"))),
        Arguments.of("trailing garbage", chat(bytes("{\"model\":\"mock\"} garbage"))),
        Arguments.of("NaN", chat(bytes("{\"model\":\"mock\",\"temperature\":NaN}"))),
        Arguments.of("duplicate keys", chat(bytes("{\"model\":\"mock\",\"model\":\"other\"}"))),
        Arguments.of("messages not an array", chat(bytes("{\"model\":\"mock\",\"messages\":\"hi\"}"))),
        Arguments.of("model a number", chat(bytes("{\"model\":5,\"messages\":[]}"))),
        Arguments.of("BOM", chat(concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, bytes("{}")))),
        Arguments.of("body shorter than length", bytes("POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\n"
            + "Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{")),
        Arguments.of("wrong content type", bytes("POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\n"
            + "Content-Type: text/plain\r\nContent-Length: 2\r\n\r\n{}")),
        Arguments.of("body too large", bytes("POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\n"
            + "Content-Type: application/json\r\nContent-Length: 999999999999\r\n\r\n{}")),
        Arguments.of("WebSocket upgrade without key", bytes("GET /api/v1/ws HTTP/1.1\r\nHost: a\r\n"
            + "Upgrade: websocket\r\nConnection: Upgrade\r\n\r\n")),
        Arguments.of("WebSocket bad version", bytes("GET /api/v1/ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 99\r\n\r\n")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void neverAServerError(String name, byte[] request) throws IOException {
    Answer answer;
    try {
      answer = send(request);
    } catch (IOException closed) {
      // Closing the connection on garbage is allowed; a 5xx is not. The server must still be healthy.
      assertHealthy();
      return;
    }
    assertThat(answer.status()).as(name).satisfiesAnyOf(s -> assertThat(s).isBetween(200, 499),
        s -> assertThat(s).isEqualTo(505));
    if (answer.status() >= 400 && answer.status() != 426) {
      assertThat(answer.header("x-request-id")).as(name + ": x-request-id").isNotBlank();
      assertThat(answer.header("content-type")).as(name + ": content type").startsWith("application/json");
      JsonObject error = answer.error();
      assertThat(error.getString("message")).as(name).isNotBlank()
          .doesNotContain("StreamReadConstraints", "Exception", "jackson", "netty");
      assertThat(error.getString("type")).as(name).isNotBlank();
    }
    assertHealthy();
  }

  private static void assertHealthy() throws IOException {
    assertThat(send(bytes("GET /health/live HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")).status())
        .isEqualTo(200);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("invalidHosts")
  void invalidHostIs400(String host) throws IOException {
    Answer answer = send(bytes("GET /v1/models HTTP/1.1\r\n" + host + "\r\n"));
    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.error().getString("type")).isEqualTo("invalid_request_error");
    assertThat(answer.header("x-request-id")).isNotBlank();
  }

  static Stream<String> invalidHosts() {
    return Stream.of("", "Host: a b\r\n", "Host: [::1\r\n", "Host: h\u00e9llo\r\n", "Host: exa mple.com:80\r\n",
        "Host: [zz]:80\r\n", "Host: a\r\nHost: b\r\n", "Host: a\r\nHost: a\r\n");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("oddHosts")
  void oddButValidHostIsNoServerError(String host) throws IOException {
    Answer answer = send(bytes("GET /v1/models HTTP/1.1\r\nHost: " + host + "\r\n\r\n"));
    assertThat(answer.status()).isLessThan(500);
  }

  static Stream<String> oddHosts() {
    return Stream.of("x:99999", "a..b", ":80", "localhost:", "127.0.0.1:0", "[::1]", "EXAMPLE.com");
  }

  @Test
  void contentLengthWithTransferEncodingIsRefused() throws IOException {
    Answer answer = send(bytes("POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
        + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"));
    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.error().getString("type")).isEqualTo("invalid_request_error");
    assertThat(answer.header("x-request-id")).isNotBlank();
  }

  @Test
  void codecErrorsAreOpenAiJson() throws IOException {
    assertThat(send(bytes("GET /v1/models/%ZZ HTTP/1.1\r\nHost: a\r\n\r\n")).status()).isEqualTo(400);
    Answer longUri = send(bytes("GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: a\r\n\r\n"));
    assertThat(longUri.status()).isEqualTo(414);
    assertThat(longUri.error().getString("type")).isEqualTo("invalid_request_error");
    assertThat(longUri.header("x-request-id")).isNotBlank();
    Answer bigHeaders = send(bytes("GET / HTTP/1.1\r\nHost: a\r\nX-A: " + "b".repeat(20_000) + "\r\n\r\n"));
    assertThat(bigHeaders.status()).isEqualTo(431);
    assertThat(bigHeaders.error()).isNotNull();
    Answer version = send(bytes("GET /v1/models HTTP/2.5\r\nHost: a\r\n\r\n"));
    assertThat(version.status()).isEqualTo(505);
    assertThat(version.error()).isNotNull();
  }

  @Test
  void jsonBodiesAreStrictUtf8() throws IOException {
    byte[] overlong = chat(concat(bytes("{\"model\":\"mock\",\"messages\":[{\"role\":\"user\",\"content\":\"a"),
        new byte[] {(byte) 0xC0, (byte) 0xAF}, bytes("\"}]}")));
    Answer answer = send(overlong);
    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.error().getString("code")).isEqualTo("invalid_json");
    assertThat(answer.error().getString("message")).contains("UTF-8");
    byte[] surrogate = chat(concat(bytes("{\"model\":\"mock\",\"messages\":[{\"role\":\"user\",\"content\":\"a"),
        new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, bytes("\"}]}")));
    assertThat(send(surrogate).status()).isEqualTo(400);
  }

  @Test
  void parserLimitsAreReportedInOurWords() throws IOException {
    Answer answer = send(chat(bytes("[".repeat(5_000) + "]".repeat(5_000))));
    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.error().getString("message")).startsWith("We could not parse the JSON body")
        .doesNotContain("StreamReadConstraints", "getMaxNestingDepth");
  }

  /**
   * A client that leaves while its body is still being read, or breaks its chunked framing, did nothing to
   * the server: the request is counted as closed by the client (499) or as a bad request, never as an
   * internal error, and nothing is logged as one.
   */
  @Test
  void aBodyThatCannotBeReadIsNoServerError() throws IOException {
    try {
      send(bytes("POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
          + "Transfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n"));
    } catch (IOException closed) {
      // the codec closes the connection on broken framing
    }
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.getOutputStream().write(bytes("POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\n"
          + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"model\""));
      socket.getOutputStream().flush();
    }
    Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> Metrics.sum(scrape(), "poncho_chat_requests_total",
        "status=\"499\"") >= 1 && Metrics.sum(scrape(), "poncho_chat_requests_total", "status=\"400\"") >= 1);
    assertThat(Metrics.sum(scrape(), "poncho_chat_requests_total", "status=\"500\"")).isZero();
    assertThat(LogCapture.recentLines()).noneMatch(line -> line.startsWith(ErrorResponder.class.getName())
        && line.contains("HttpClosedException"));
    assertHealthy();
  }

  private static String scrape() throws IOException {
    return send(bytes("GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")).body();
  }
}
