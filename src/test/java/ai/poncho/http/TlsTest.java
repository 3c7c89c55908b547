package ai.poncho.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.poncho.bus.Addresses;
import ai.poncho.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import java.io.FileInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS on the HTTP port with certificates made by the JDK's keytool: TLS 1.3 accepted, TLS 1.1 and weak
 * cipher suites refused (probed with openssl where installed), HTTP/2 over ALPN, HSTS, PKCS#12 keystores,
 * and certificates reloaded on file change and on the SIGHUP signal's bus message.
 */
class TlsTest {

  private static final String PASSWORD = "changeit";
  @TempDir
  static Path dir;

  @BeforeAll
  static void keytoolIsThere() {
    assumeTrue(Files.isExecutable(keytool()), "keytool is not installed");
  }

  private static Path keytool() {
    return Path.of(System.getProperty("java.home"), "bin", "keytool");
  }

  /** A self-signed EC certificate for localhost / 127.0.0.1 in a PKCS#12 keystore. */
  private static Path keystore(String name) throws IOException, InterruptedException {
    Path file = dir.resolve(name + ".p12");
    Files.deleteIfExists(file);
    Process keytool = new ProcessBuilder(keytool().toString(), "-genkeypair", "-alias", "poncho", "-keyalg", "EC",
        "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA", "-dname", "CN=" + name, "-ext",
        "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-keystore", file.toString(), "-storetype", "PKCS12",
        "-storepass", PASSWORD, "-keypass", PASSWORD).redirectErrorStream(true).start();
    String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(keytool.exitValue()).as(output).isZero();
    return file;
  }

  /** The keystore's certificate and key as PEM files (what most operators have). */
  private static Path[] pem(Path keystore, String name) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (FileInputStream in = new FileInputStream(keystore.toFile())) {
      store.load(in, PASSWORD.toCharArray());
    }
    Base64.Encoder base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
    Path cert = dir.resolve(name + ".crt");
    Path key = dir.resolve(name + ".key");
    Files.writeString(cert, "-----BEGIN CERTIFICATE-----\n"
        + base64.encodeToString(store.getCertificate("poncho").getEncoded()) + "\n-----END CERTIFICATE-----\n");
    Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n"
        + base64.encodeToString(store.getKey("poncho", PASSWORD.toCharArray()).getEncoded())
        + "\n-----END PRIVATE KEY-----\n");
    return new Path[] {cert, key};
  }

  private static TestServer start(JsonObject tls) {
    JsonObject config = TestServer.config();
    config.getJsonObject("http").put("tls", tls);
    return TestServer.start(config);
  }

  private static SSLSocket handshake(int port, String protocol) throws Exception {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, new TrustManager[] {new TrustAll()}, new SecureRandom());
    SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
    socket.setEnabledProtocols(new String[] {protocol});
    socket.setSoTimeout(10_000);
    socket.startHandshake();
    return socket;
  }

  private static BigInteger serial(int port) throws Exception {
    try (SSLSocket socket = handshake(port, "TLSv1.3")) {
      return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
    }
  }

  /** openssl s_client's exit status and output for the given extra arguments. */
  private static ProcessResult openssl(int port, String... args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new ProcessResult(process.exitValue(), output);
  }

  private record ProcessResult(int exit, String output) {
  }

  private static boolean opensslInstalled() {
    try {
      Process process = new ProcessBuilder("openssl", "version").redirectErrorStream(true).start();
      return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  @Test
  void pemCertificateServesTls13AndHttp2WithHsts() throws Exception {
    Path[] pem = pem(keystore("pem"), "pem");
    try (TestServer server = start(new JsonObject().put("cert", pem[0].toString()).put("key", pem[1].toString()))) {
      try (SSLSocket socket = handshake(server.port(), "TLSv1.3")) {
        assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.3");
      }
      try (SSLSocket socket = handshake(server.port(), "TLSv1.2")) {
        assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.2");
        assertThat(socket.getSession().getCipherSuite()).contains("ECDHE").contains("GCM");
      }
      Vertx vertx = Vertx.vertx();
      try {
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setUseAlpn(true)
            .setTrustAll(true).setVerifyHost(false).setProtocolVersion(HttpVersion.HTTP_2)
            .setDefaultHost("127.0.0.1").setDefaultPort(server.port()));
        HttpClientResponse response = TestServer.await(client.request(HttpMethod.GET, "/v1/models")
            .compose(request -> request.send()).compose(r -> r.body().map(r)));
        assertThat(response.version()).isEqualTo(HttpVersion.HTTP_2);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.getHeader("Strict-Transport-Security")).isEqualTo(SecurityHeaders.HSTS);
        assertThat(response.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
      } finally {
        TestServer.await(vertx.close());
      }
    }
  }

  @Test
  void tls11AndWeakCiphersAreRefused() throws Exception {
    assumeTrue(opensslInstalled(), "openssl is not installed");
    Path[] pem = pem(keystore("old"), "old");
    try (TestServer server = start(new JsonObject().put("cert", pem[0].toString()).put("key", pem[1].toString()))) {
      ProcessResult modern = openssl(server.port(), "-tls1_3");
      assertThat(modern.output()).contains("TLSv1.3");
      // SECLEVEL=0 lets this client offer TLS 1.1 at all, so the refusal is the server's.
      ProcessResult tls11 = openssl(server.port(), "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0");
      assertThat(tls11.exit()).isNotZero();
      assertThat(tls11.output()).containsIgnoringCase("alert protocol version");
      ProcessResult weak = openssl(server.port(), "-tls1_2", "-cipher", "AES128-SHA:DES-CBC3-SHA@SECLEVEL=0");
      assertThat(weak.exit()).isNotZero();
      assertThat(weak.output()).containsIgnoringCase("alert handshake failure");
    }
  }

  @Test
  void pkcs12KeystoreWorksAndCertificatesReloadOnChangeAndOnSighup() throws Exception {
    Path live = dir.resolve("live.p12");
    Files.copy(keystore("first"), live, StandardCopyOption.REPLACE_EXISTING);
    try (TestServer server = start(new JsonObject().put("keystore", live.toString()).put("keystore_password", PASSWORD)
        .put("reload_interval", "200ms"))) {
      BigInteger first = serial(server.port());
      Path second = keystore("second");
      Files.copy(second, live, StandardCopyOption.REPLACE_EXISTING);
      Files.setLastModifiedTime(live, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
      await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> !serial(server.port()).equals(first));
    }
    Path[] pem = pem(keystore("hup1"), "hup");
    try (TestServer server = start(new JsonObject().put("cert", pem[0].toString()).put("key", pem[1].toString())
        .put("reload_interval", "0"))) {
      BigInteger before = serial(server.port());
      pem(keystore("hup2"), "hup");
      server.vertx().eventBus().publish(Addresses.TLS_RELOAD, null);
      await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> !serial(server.port()).equals(before));
    }
  }

  private static final class TrustAll implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
