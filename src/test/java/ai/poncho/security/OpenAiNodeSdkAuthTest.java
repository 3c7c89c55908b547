package ai.poncho.security;

import static ai.poncho.testing.AuthClient.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.poncho.testing.AuthClient;
import ai.poncho.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The official OpenAI Node SDK, unchanged, against a gateway with auth on: a managed key with a model
 * allow-list works (completions, streams, filtered model list); its typed errors for a model outside the
 * list (403 model_not_allowed), a wrong key (401 invalid_api_key) and a viewer (403). Skipped without node.
 */
class OpenAiNodeSdkAuthTest {

  private static final Path SOURCE = Path.of("src/test/resources/openai-sdk");
  private static final Path WORK = Path.of("target/openai-sdk");
  private static final String MASTER = AuthClient.newMasterKey();
  private static TestServer server;

  @BeforeAll
  static void installSdkAndStartServer() throws IOException, InterruptedException {
    assumeTrue(run(List.of("node", "--version"), 30) == 0, "node is not installed");
    Files.createDirectories(WORK);
    for (String file : List.of("package.json", "auth-check.mjs")) {
      Files.copy(SOURCE.resolve(file), WORK.resolve(file), StandardCopyOption.REPLACE_EXISTING);
    }
    if (!Files.isDirectory(WORK.resolve("node_modules/openai"))) {
      assumeTrue(run(List.of("npm", "install", "--no-audit", "--no-fund", "--loglevel=error"), 300) == 0,
          "npm could not install the openai package");
    }
    JsonObject config = AuthClient.config(MASTER);
    config.getJsonObject("models").put("deepseek-chat", new JsonObject().put("provider", "mock"))
        .put("gpt-4o", new JsonObject().put("provider", "mock"));
    server = TestServer.start(config);
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  private static int run(List<String> command, int seconds) throws IOException, InterruptedException {
    Process process;
    try {
      process = new ProcessBuilder(command).directory(WORK.toFile().exists() ? WORK.toFile() : null)
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException notInstalled) {
      return -1;
    }
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return -1;
    }
    return process.exitValue();
  }

  @Test
  void officialSdkSeesAuthAndItsErrors() throws IOException, InterruptedException {
    String user;
    String viewer;
    try (AuthClient http = new AuthClient(server)) {
      user = http.createKey(MASTER, key("user", "deepseek-*")).getString("key");
      viewer = http.createKey(MASTER, key("viewer")).getString("key");
    }
    ProcessBuilder builder = new ProcessBuilder("node", "auth-check.mjs").directory(WORK.toFile());
    builder.environment().put("PONCHO_BASE_URL", server.baseUrl() + "/v1");
    builder.environment().put("PONCHO_KEY", user);
    builder.environment().put("PONCHO_VIEWER_KEY", viewer);
    Process process = builder.start();
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(stderr).isZero();
    JsonObject out = new JsonObject(stdout.substring(stdout.lastIndexOf('\n') + 1));

    assertThat(out.getString("content")).isEqualTo("Mock reply to: sdk auth");
    assertThat(out.getString("streamed")).isEqualTo("Mock reply to: sdk auth stream");
    assertThat(out.getJsonArray("models").getList()).containsExactly("deepseek-chat");
    assertThat(out.getJsonObject("notAllowed").getBoolean("isPermissionDenied")).isTrue();
    assertThat(out.getJsonObject("notAllowed").getInteger("status")).isEqualTo(403);
    assertThat(out.getJsonObject("notAllowed").getString("code")).isEqualTo("model_not_allowed");
    assertThat(out.getJsonObject("wrongKey").getBoolean("isAuthentication")).isTrue();
    assertThat(out.getJsonObject("wrongKey").getInteger("status")).isEqualTo(401);
    assertThat(out.getJsonObject("wrongKey").getString("code")).isEqualTo("invalid_api_key");
    assertThat(out.getJsonObject("wrongKey").getString("type")).isEqualTo("invalid_request_error");
    assertThat(out.getJsonObject("viewer").getBoolean("isPermissionDenied")).isTrue();
    assertThat(out.getJsonObject("viewer").getString("code")).isEqualTo("insufficient_permissions");
  }
}
