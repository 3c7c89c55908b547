package ai.poncho.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.poncho.testing.FakeUpstream;
import ai.poncho.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The official Anthropic and OpenAI Node SDKs, unchanged, against PonchoAI's /v1/messages,
 * /v1/embeddings and /v1/responses, each routed to the mock model, to an OpenAI-family upstream and
 * (messages) to an Anthropic upstream. Skipped where node/npm are missing.
 */
class ClientSdkTest {

  private static final Path SOURCE = Path.of("src/test/resources/client-sdks");
  private static final Path WORK = Path.of("target/client-sdks");
  private static FakeUpstream openAi;
  private static FakeUpstream anthropic;
  private static TestServer server;

  @BeforeAll
  static void installSdksAndStartServer() throws IOException, InterruptedException {
    assumeTrue(run(List.of("node", "--version"), 30) == 0, "node is not installed");
    Files.createDirectories(WORK);
    for (String file : List.of("package.json", "anthropic.mjs", "openai-apis.mjs")) {
      Files.copy(SOURCE.resolve(file), WORK.resolve(file), StandardCopyOption.REPLACE_EXISTING);
    }
    if (!Files.isDirectory(WORK.resolve("node_modules/@anthropic-ai/sdk"))
        || !Files.isDirectory(WORK.resolve("node_modules/openai"))) {
      assumeTrue(run(List.of("npm", "install", "--no-audit", "--no-fund", "--loglevel=error"), 300) == 0,
          "npm could not install the SDKs");
    }
    openAi = FakeUpstream.start().always(VendorFakes::openAi);
    anthropic = FakeUpstream.start().always(VendorFakes::anthropic);
    JsonObject config = TestServer.config();
    JsonObject models = config.getJsonObject("models");
    JsonObject vision = new JsonObject().put("vision", true);
    models.put("gpt", new JsonObject().put("provider", "openai").put("model_name", "gpt-4o-mini")
        .put("api_key", "sk-test-0123456789").put("base_url", openAi.baseUrl() + "/v1").put("max_retries", 0)
        .put("supports", vision));
    models.put("claude", new JsonObject().put("provider", "anthropic").put("model_name", "claude-haiku-4-5")
        .put("api_key", "sk-ant-test-0123456789").put("base_url", anthropic.baseUrl()).put("max_retries", 0)
        .put("supports", vision));
    models.put("vectors", new JsonObject().put("provider", "mock").put("type", "embedding").put("dimensions", 64));
    models.put("oa-vectors", new JsonObject().put("provider", "openai_compatible").put("type", "embedding")
        .put("model_name", "text-embedding-3-small").put("base_url", openAi.baseUrl() + "/v1").put("max_retries", 0));
    server = TestServer.start(config);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
      openAi.close();
      anthropic.close();
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

  private static JsonObject script(String script, Map<String, String> env) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder("node", script).directory(WORK.toFile());
    builder.environment().put("PONCHO_BASE_URL", server.baseUrl() + (script.startsWith("openai") ? "/v1" : ""));
    builder.environment().putAll(env);
    Process process = builder.start();
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(stderr).isZero();
    return new JsonObject(stdout.substring(stdout.lastIndexOf('\n') + 1));
  }

  private static JsonObject anthropicSdk(String model) throws IOException, InterruptedException {
    JsonObject out = script("anthropic.mjs", Map.of("PONCHO_MODEL", model));
    assertThat(out.getString("id")).startsWith("msg_");
    assertThat(out.getString("type")).isEqualTo("message");
    assertThat(out.getString("stopReason")).isEqualTo("end_turn");
    assertThat(out.getJsonObject("usage").getInteger("input_tokens")).isPositive();
    assertThat(out.getJsonObject("usage").getInteger("output_tokens")).isPositive();
    assertThat(out.getString("streamedText")).isEqualTo(out.getString("finalText"));
    assertThat(out.getString("finalStopReason")).isEqualTo("end_turn");
    assertThat(out.getJsonObject("finalUsage").getInteger("output_tokens")).isPositive();
    assertThat(out.getString("toolStopReason")).isEqualTo("tool_use");
    assertThat(out.getString("toolName")).isEqualTo("get_weather");
    assertThat(out.getJsonObject("toolInput")).isEqualTo(new JsonObject().put("query", "weather in Quito"));
    assertThat(out.getBoolean("toolIdPresent")).isTrue();
    assertThat(out.getString("afterToolStopReason")).isEqualTo("end_turn");
    assertThat(out.getInteger("countTokens")).isPositive();
    assertThat(out.getJsonObject("instances")).isEqualTo(new JsonObject().put("notFound", true)
        .put("unauthorized", true).put("rateLimited", true).put("overloaded", true).put("badRequest", true));
    assertThat(out.getJsonObject("notFound").getString("type")).isEqualTo("not_found_error");
    assertThat(out.getJsonObject("unauthorized").getString("type")).isEqualTo("authentication_error");
    assertThat(out.getJsonObject("rateLimited").getString("type")).isEqualTo("rate_limit_error");
    assertThat(out.getJsonObject("overloaded").getInteger("status")).isEqualTo(529);
    assertThat(out.getJsonObject("overloaded").getString("type")).isEqualTo("overloaded_error");
    assertThat(out.getJsonObject("midStream").getBoolean("isApiError")).isTrue();
    return out;
  }

  @Test
  void anthropicSdkOnTheMockModel() throws IOException, InterruptedException {
    JsonObject out = anthropicSdk("mock");
    assertThat(out.getString("text")).isEqualTo("Mock reply to: sdk hello");
    assertThat(out.getString("finalText")).isEqualTo("Mock reply to: sdk stream");
    assertThat(out.getString("afterTool")).isEqualTo("Mock reply to: weather in Quito");
    assertThat(out.getString("imageReply")).isEqualTo("Mock reply to: describe the image");
  }

  @Test
  void anthropicSdkOnAnOpenAiModel() throws IOException, InterruptedException {
    openAi.reset();
    JsonObject out = anthropicSdk("gpt");
    assertThat(out.getString("text")).isEqualTo("OpenAI fake: sdk hello");
    assertThat(out.getString("finalText")).isEqualTo("OpenAI fake: sdk stream");
    assertThat(out.getString("afterTool")).isEqualTo("OpenAI fake: sunny, 21C");
    assertThat(out.getString("imageReply")).isEqualTo("OpenAI fake: describe the image (2 images)");
    JsonObject imageRequest = openAi.received().stream().map(FakeUpstream.Received::json)
        .filter(body -> body.encode().contains("describe the image")).findFirst().orElseThrow();
    JsonArray parts = imageRequest.getJsonArray("messages").getJsonObject(0).getJsonArray("content");
    assertThat(parts.getJsonObject(0).getJsonObject("image_url").getString("url"))
        .isEqualTo("data:image/png;base64,iVBORw0KGgoAAAANSUhEUg==");
    assertThat(parts.getJsonObject(1).getJsonObject("image_url").getString("url"))
        .isEqualTo("https://example.com/cat.png");
    JsonObject toolAnswer = openAi.received().stream().map(FakeUpstream.Received::json)
        .filter(body -> body.encode().contains("sunny, 21C")).findFirst().orElseThrow();
    JsonArray messages = toolAnswer.getJsonArray("messages");
    assertThat(messages.getJsonObject(1).getJsonArray("tool_calls").getJsonObject(0).getString("id"))
        .isEqualTo("call_fake1");
    assertThat(messages.getJsonObject(2)).isEqualTo(new JsonObject().put("role", "tool").put("content", "sunny, 21C")
        .put("tool_call_id", "call_fake1"));
  }

  @Test
  void anthropicSdkOnAnAnthropicModel() throws IOException, InterruptedException {
    anthropic.reset();
    JsonObject out = anthropicSdk("claude");
    assertThat(out.getString("id")).isEqualTo("msg_01FakeAnthropicUpstream");
    assertThat(out.getString("text")).isEqualTo("Anthropic fake: sdk hello");
    assertThat(out.getString("finalText")).isEqualTo("Anthropic fake: sdk stream");
    assertThat(out.getJsonObject("usage")).isEqualTo(new JsonObject().put("input_tokens", 21).put("output_tokens", 6));
    assertThat(out.getJsonObject("finalUsage").getInteger("input_tokens")).isEqualTo(21);
    assertThat(out.getJsonObject("finalUsage").getInteger("output_tokens")).isEqualTo(6);
    assertThat(out.getString("afterTool")).isEqualTo("Anthropic fake: sunny, 21C");
    assertThat(out.getString("imageReply")).isEqualTo("Anthropic fake: describe the image (2 images)");
    JsonObject toolAnswer = anthropic.received().stream().map(FakeUpstream.Received::json)
        .filter(body -> body.encode().contains("sunny, 21C")).findFirst().orElseThrow();
    JsonArray turns = toolAnswer.getJsonArray("messages");
    assertThat(turns.getJsonObject(1).getJsonArray("content").getJsonObject(0).getString("id"))
        .isEqualTo("toolu_01FakeToolUse");
    assertThat(turns.getJsonObject(2).getJsonArray("content").getJsonObject(0).getString("tool_use_id"))
        .isEqualTo("toolu_01FakeToolUse");
  }

  private static JsonObject openAiSdk(String model, String embeddingModel) throws IOException, InterruptedException {
    JsonObject out = script("openai-apis.mjs", Map.of("PONCHO_MODEL", model, "PONCHO_EMBEDDING_MODEL", embeddingModel));
    assertThat(out.getString("embedObject")).isEqualTo("list");
    assertThat(out.getInteger("embedCount")).isEqualTo(2);
    assertThat(out.getJsonArray("embedIndexes")).containsExactly(0, 1);
    assertThat(out.getJsonArray("embedFirst")).isEqualTo(out.getJsonArray("floatFirst"));
    assertThat(out.getJsonObject("embedUsage").getInteger("prompt_tokens")).isPositive();
    assertThat(out.getString("embedModel")).isEqualTo(embeddingModel);
    assertThat(out.getInteger("shortDims")).isEqualTo(8);
    assertThat(out.getString("responseStatus")).isEqualTo("completed");
    assertThat(out.getString("responseObject")).isEqualTo("response");
    assertThat(out.getString("responseIdPrefix")).isEqualTo("resp_");
    JsonObject usage = out.getJsonObject("responseUsage");
    assertThat(usage.getInteger("total_tokens"))
        .isEqualTo(usage.getInteger("input_tokens") + usage.getInteger("output_tokens"));
    assertThat(out.getString("streamFirst")).isEqualTo("response.created");
    assertThat(out.getString("streamLast")).isEqualTo("response.completed");
    assertThat(out.getJsonArray("streamTypes")).containsExactly("response.created", "response.in_progress",
        "response.output_item.added", "response.content_part.added", "response.output_text.delta",
        "response.output_text.done", "response.content_part.done", "response.output_item.done",
        "response.completed");
    assertThat(out.getBoolean("sequenceOk")).isTrue();
    assertThat(out.getString("completedText")).isEqualTo(out.getString("streamedText"));
    assertThat(out.getString("callName")).isEqualTo("get_weather");
    assertThat(out.getJsonObject("callArguments")).isEqualTo(new JsonObject().put("query", "weather in Quito"));
    assertThat(out.getBoolean("callIdPresent")).isTrue();
    assertThat(out.getJsonObject("streamedArguments")).isEqualTo(new JsonObject().put("query", "weather in Lima"));
    assertThat(out.getBoolean("doneArgumentsMatch")).isTrue();
    assertThat(out.getJsonObject("previousResponse")).isEqualTo(new JsonObject().put("name", "BadRequestError")
        .put("status", 400).put("param", "previous_response_id").put("code", "unsupported_parameter"));
    assertThat(out.getJsonObject("chatModelForEmbeddings").getInteger("status")).isEqualTo(400);
    assertThat(out.getJsonObject("chatModelForEmbeddings").getString("code")).isEqualTo("model_type_mismatch");
    assertThat(out.getJsonObject("embeddingModelForResponses").getInteger("status")).isEqualTo(400);
    assertThat(out.getJsonObject("emptyInput").getString("name")).isEqualTo("BadRequestError");
    return out;
  }

  @Test
  void openAiSdkEmbeddingsAndResponsesOnTheMockModel() throws IOException, InterruptedException {
    JsonObject out = openAiSdk("mock", "vectors");
    assertThat(out.getInteger("embedDims")).isEqualTo(64);
    assertThat(out.getString("responseText")).isEqualTo("Mock reply to: sdk responses hello");
    assertThat(out.getString("streamedText")).isEqualTo("Mock reply to: sdk responses stream");
    assertThat(out.getString("helperText")).isEqualTo("Mock reply to: sdk responses helper");
    assertThat(out.getString("afterTool")).isEqualTo("Mock reply to: weather in Quito");
  }

  @Test
  void openAiSdkEmbeddingsAndResponsesOnAnOpenAiUpstream() throws IOException, InterruptedException {
    openAi.reset();
    JsonObject out = openAiSdk("gpt", "oa-vectors");
    assertThat(out.getInteger("embedDims")).isEqualTo(3);
    assertThat(out.getJsonArray("embedFirst").getDouble(0)).isEqualTo(0.5);
    assertThat(out.getJsonObject("embedUsage")).isEqualTo(new JsonObject().put("prompt_tokens", 7)
        .put("total_tokens", 7));
    assertThat(out.getString("responseText")).isEqualTo("OpenAI fake: sdk responses hello");
    assertThat(out.getString("streamedText")).isEqualTo("OpenAI fake: sdk responses stream");
    assertThat(out.getString("afterTool")).isEqualTo("OpenAI fake: sunny, 21C");
    JsonObject embeddings = openAi.received().stream().filter(r -> r.path().endsWith("/embeddings")).findFirst()
        .orElseThrow().json();
    assertThat(embeddings).isEqualTo(new JsonObject().put("model", "text-embedding-3-small")
        .put("input", new JsonArray().add("alpha").add("beta")).put("encoding_format", "float"));
    JsonObject hello = openAi.received().stream().map(FakeUpstream.Received::json)
        .filter(body -> body.encode().contains("sdk responses hello")).findFirst().orElseThrow();
    assertThat(hello.getJsonArray("messages").getJsonObject(0)).isEqualTo(new JsonObject().put("role", "system")
        .put("content", "Be brief."));
  }
}
