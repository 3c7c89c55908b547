package ai.poncho.prompt;

import static org.assertj.core.api.Assertions.assertThat;

import ai.poncho.testing.FakeUpstream;
import ai.poncho.testing.Sse;
import ai.poncho.testing.TestServer;
import ai.poncho.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 over real HTTP and WebSocket: body whitespace after front matter, media content types (render
 * and what reaches an OpenAI-format upstream), prompt tools from {@code prompts.tools_dir}, and the JSON
 * output check on streamed executions.
 */
class PromptCompletenessTest {

  private static final String WAV = "data:audio/wav;base64,UklGRiQAAABXQVZFZm10IBAAAAABAAEA";

  @TempDir
  static Path dir;
  private static FakeUpstream upstream;
  private static TestServer server;
  private static Vertx clientVertx;
  private static WebClient client;

  @BeforeAll
  static void start() throws IOException {
    write("prompts/hello.prompt", "---\nmodel: mock\n---\nHello, {{name}}!\n");
    write("prompts/spaced.prompt", "---\nmodel: mock\n---\n\n  Indented {{name}}\n\n");
    write("prompts/media.prompt", "{{role \"user\"}}Look: {{media url=url contentType=type}}");
    write("prompts/tooled.prompt", "---\nmodel: gpt\ntools: [get_weather, search]\n---\nWeather in {{city}}?");
    write("prompts/unknown_tool.prompt", "---\ntools: [get_weather, nope]\n---\nHi");
    write("prompts/json_out.prompt", "---\nmodel: mock\noutput:\n  format: json\n  schema:\n    a: integer\n"
        + "---\n{{json this}}");
    write("prompts/json_free.prompt", "---\nmodel: mock\noutput:\n  format: json\n---\nno json here");
    write("tools/get_weather.json", new JsonObject().put("description", "Current weather for a city")
        .put("inputSchema", new JsonObject().put("type", "object").put("properties", new JsonObject()
            .put("city", new JsonObject().put("type", "string"))).put("required", new JsonArray().add("city")))
        .encode());
    write("tools/search.yaml", "name: search\ndescription: Web search\ninputSchema:\n  query: string, what to look for\n");
    upstream = FakeUpstream.start();
    JsonObject config = TestServer.config().put("prompts", new JsonObject().put("dir", dir.resolve("prompts").toString())
        .put("tools_dir", dir.resolve("tools").toString()).put("reload_interval", "0")
        .put("media", new JsonObject().put("schemes", new JsonArray().add("https").add("http").add("data"))));
    JsonObject openai = new JsonObject().put("provider", "openai").put("api_key", "sk-test")
        .put("base_url", upstream.baseUrl() + "/v1").put("max_retries", 0)
        .put("circuit_breaker", new JsonObject().put("enabled", false));
    config.getJsonObject("models")
        .put("gpt", openai.copy().put("supports", new JsonObject().put("vision", true).put("audio", true)))
        .put("gpt-text", openai.copy().put("supports", new JsonObject().put("vision", true)))
        .put("claude", new JsonObject().put("provider", "anthropic").put("api_key", "sk-ant-test")
            .put("base_url", upstream.baseUrl()).put("max_retries", 0)
            .put("supports", new JsonObject().put("vision", true).put("audio", true)));
    server = TestServer.start(config);
    clientVertx = Vertx.vertx();
    client = server.webClient(clientVertx);
  }

  @AfterAll
  static void stop() {
    server.close();
    upstream.close();
    TestServer.await(clientVertx.close());
  }

  @BeforeEach
  void reset() {
    upstream.reset();
    upstream.always(FakeUpstream.json(200, new JsonObject().put("id", "chatcmpl-1").put("object", "chat.completion")
        .put("created", 1).put("model", "gpt-4o").put("choices", new JsonArray().add(new JsonObject().put("index", 0)
            .put("message", new JsonObject().put("role", "assistant").put("content", "ok"))
            .put("finish_reason", "stop")))
        .put("usage", new JsonObject().put("prompt_tokens", 5).put("completion_tokens", 1).put("total_tokens", 6))));
  }

  private static void write(String file, String content) throws IOException {
    Path path = dir.resolve(file);
    Files.createDirectories(path.getParent());
    Files.writeString(path, content);
  }

  private static HttpResponse<Buffer> post(String path, JsonObject body) {
    return TestServer.await(client.post(path).sendJsonObject(body));
  }

  private static JsonObject input(String key, Object value) {
    return new JsonObject().put("input", new JsonObject().put(key, value));
  }

  private static JsonObject media(String url, String type) {
    JsonObject input = new JsonObject().put("url", url);
    if (type != null) {
      input.put("type", type);
    }
    return new JsonObject().put("input", input);
  }

  @Test
  void bodyAfterFrontMatterKeepsItsWhitespace() {
    JsonObject rendered = post("/api/v1/prompts/hello/render", input("name", "X")).bodyAsJsonObject();
    assertThat(rendered.getJsonArray("messages").getJsonObject(0).getString("content")).isEqualTo("Hello, X!\n");
    assertThat(rendered.getJsonObject("dotprompt").getJsonArray("messages").getJsonObject(0).getJsonArray("content")
        .getJsonObject(0).getString("text")).isEqualTo("Hello, X!\n");
    JsonObject spaced = post("/api/v1/prompts/spaced/render", input("name", "Y")).bodyAsJsonObject();
    assertThat(spaced.getJsonArray("messages").getJsonObject(0).getString("content")).isEqualTo("\n  Indented Y\n\n");
  }

  @Test
  void renderKeepsTheContentTypeOfEveryMediaPart() {
    JsonObject video = post("/api/v1/prompts/media/render", media("https://example.com/v.mp4", "video/mp4"))
        .bodyAsJsonObject();
    JsonObject part = video.getJsonArray("messages").getJsonObject(0).getJsonArray("content").getJsonObject(1);
    assertThat(part.getString("type")).isEqualTo("media");
    assertThat(part.getString("content_type")).isEqualTo("video/mp4");
    assertThat(part.getJsonObject("media")).isEqualTo(new JsonObject().put("url", "https://example.com/v.mp4")
        .put("contentType", "video/mp4"));
    assertThat(part.getString("unsupported")).contains("video/mp4");
    assertThat(video.getJsonObject("dotprompt").getJsonArray("messages").getJsonObject(0).getJsonArray("content")
        .getJsonObject(1)).isEqualTo(new JsonObject().put("media", new JsonObject()
        .put("url", "https://example.com/v.mp4").put("contentType", "video/mp4")));

    JsonObject image = post("/api/v1/prompts/media/render", media("https://example.com/a.jpg", "image/jpeg"))
        .bodyAsJsonObject().getJsonArray("messages").getJsonObject(0).getJsonArray("content").getJsonObject(1);
    assertThat(image).isEqualTo(new JsonObject().put("type", "image_url")
        .put("image_url", new JsonObject().put("url", "https://example.com/a.jpg")).put("content_type", "image/jpeg"));

    JsonObject audio = post("/api/v1/prompts/media/render", media(WAV, null))
        .bodyAsJsonObject().getJsonArray("messages").getJsonObject(0).getJsonArray("content").getJsonObject(1);
    assertThat(audio.getString("type")).isEqualTo("input_audio");
    assertThat(audio.getString("content_type")).isEqualTo("audio/wav");
    assertThat(audio.getJsonObject("input_audio").getString("format")).isEqualTo("wav");
  }

  @Test
  void imagesGoAsImageUrlAndAudioAsInputAudio() {
    HttpResponse<Buffer> image = post("/api/v1/prompts/media/execute",
        media("https://example.com/a.png", "image/png").put("model", "gpt"));
    assertThat(image.statusCode()).as(image.bodyAsString()).isEqualTo(200);
    JsonArray sent = upstream.received().get(0).json().getJsonArray("messages").getJsonObject(0).getJsonArray("content");
    assertThat(sent.getJsonObject(1)).isEqualTo(new JsonObject().put("type", "image_url")
        .put("image_url", new JsonObject().put("url", "https://example.com/a.png")));

    HttpResponse<Buffer> audio = post("/api/v1/prompts/media/execute",
        media("data:audio/mpeg;base64,SUQzBAAAAAAA", "audio/mpeg").put("model", "gpt"));
    assertThat(audio.statusCode()).as(audio.bodyAsString()).isEqualTo(200);
    JsonArray sentAudio = upstream.received().get(1).json().getJsonArray("messages").getJsonObject(0)
        .getJsonArray("content");
    assertThat(sentAudio.getJsonObject(1)).isEqualTo(new JsonObject().put("type", "input_audio")
        .put("input_audio", new JsonObject().put("data", "SUQzBAAAAAAA").put("format", "mp3")));
  }

  @Test
  void mediaTheModelCannotTakeIsA400NamingThePart() {
    HttpResponse<Buffer> video = post("/api/v1/prompts/media/execute",
        media("https://example.com/v.mp4", "video/mp4").put("model", "gpt"));
    assertError(video, "unsupported_media", "messages[0].content[1]");
    assertThat(video.bodyAsJsonObject().getJsonObject("error").getString("message"))
        .contains("messages[0].content[1]", "video/mp4", "https://example.com/v.mp4");

    HttpResponse<Buffer> linkedAudio = post("/api/v1/prompts/media/execute",
        media("https://example.com/a.mp3", null).put("model", "gpt"));
    assertError(linkedAudio, "unsupported_media", "messages[0].content[1]");
    assertThat(linkedAudio.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("audio/mpeg",
        "data: URL");

    HttpResponse<Buffer> ogg = post("/api/v1/prompts/media/execute",
        media("data:audio/ogg;base64,T2dnUw==", null).put("model", "gpt"));
    assertError(ogg, "unsupported_media", "messages[0].content[1]");

    HttpResponse<Buffer> noAudioModel = post("/api/v1/prompts/media/execute", media(WAV, null).put("model", "gpt-text"));
    assertError(noAudioModel, "unsupported_content", "messages[0].content[1]");
    assertThat(noAudioModel.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("gpt-text", "audio");

    HttpResponse<Buffer> anthropic = post("/api/v1/prompts/media/execute", media(WAV, null).put("model", "claude"));
    assertError(anthropic, "unsupported_content", "messages[0].content[1]");
    assertThat(upstream.received()).isEmpty();
  }

  private static void assertError(HttpResponse<Buffer> response, String code, String param) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(400);
    JsonObject error = response.bodyAsJsonObject().getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo(code);
    assertThat(error.getString("param")).isEqualTo(param);
    assertThat(error.getString("type")).isEqualTo("invalid_request_error");
  }

  @Test
  void promptToolsAreSentAsFunctionToolsMergedWithTheRequestsOwn() {
    JsonObject ownSearch = new JsonObject().put("type", "function").put("function", new JsonObject()
        .put("name", "search").put("description", "The caller's search")
        .put("parameters", new JsonObject().put("type", "object").put("properties", new JsonObject())));
    JsonObject lookup = new JsonObject().put("type", "function").put("function", new JsonObject()
        .put("name", "lookup").put("parameters", new JsonObject().put("type", "object")));
    HttpResponse<Buffer> response = post("/api/v1/prompts/tooled/execute", input("city", "Oslo")
        .put("tools", new JsonArray().add(ownSearch).add(lookup)));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);

    JsonArray tools = upstream.received().get(0).json().getJsonArray("tools");
    assertThat(tools).hasSize(3);
    JsonObject weather = tools.getJsonObject(0);
    assertThat(weather.getString("type")).isEqualTo("function");
    assertThat(weather.getJsonObject("function").getString("name")).isEqualTo("get_weather");
    assertThat(weather.getJsonObject("function").getString("description")).isEqualTo("Current weather for a city");
    assertThat(weather.getJsonObject("function").getJsonObject("parameters").getJsonArray("required"))
        .containsExactly("city");
    assertThat(tools.getJsonObject(1)).isEqualTo(ownSearch);
    assertThat(tools.getJsonObject(2)).isEqualTo(lookup);
  }

  @Test
  void yamlToolsArePicoschemaAndShownInTheApi() {
    JsonObject prompt = TestServer.await(client.get("/api/v1/prompts/tooled").send()).bodyAsJsonObject();
    assertThat(prompt.getJsonArray("tools")).containsExactly("get_weather", "search");
    JsonObject search = prompt.getJsonArray("tool_definitions").getJsonObject(1).getJsonObject("function");
    assertThat(search.getString("name")).isEqualTo("search");
    assertThat(search.getJsonObject("parameters")).isEqualTo(new JsonObject().put("type", "object")
        .put("additionalProperties", false).put("properties", new JsonObject().put("query", new JsonObject()
            .put("type", "string").put("description", "what to look for"))).put("required", new JsonArray().add("query")));
    JsonObject rendered = post("/api/v1/prompts/tooled/render", input("city", "Oslo")).bodyAsJsonObject();
    assertThat(rendered.getJsonArray("tools")).hasSize(2);
  }

  @Test
  void anUnknownToolIsALoadErrorShownInTheApi() {
    JsonObject prompt = TestServer.await(client.get("/api/v1/prompts/unknown_tool").send()).bodyAsJsonObject();
    assertThat(prompt.getString("status")).isEqualTo("error");
    assertThat(prompt.getBoolean("serving")).isFalse();
    assertThat(prompt.getString("error")).contains("unknown tool 'nope'", "prompts.tools_dir");
    HttpResponse<Buffer> run = post("/api/v1/prompts/unknown_tool/execute", new JsonObject());
    assertThat(run.statusCode()).isEqualTo(404);
  }

  @Test
  void streamedJsonOutputEndsWithTheCheckedOutputBeforeDone() {
    HttpResponse<Buffer> response = post("/api/v1/prompts/json_out/execute", input("a", 7).put("stream", true));
    assertThat(response.statusCode()).isEqualTo(200);
    List<String> events = Sse.data(response.bodyAsString());
    assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
    JsonObject last = new JsonObject(events.get(events.size() - 2));
    assertThat(last.getString("object")).isEqualTo("chat.completion.chunk");
    assertThat(last.getJsonArray("choices")).isEmpty();
    assertThat(last.getString("output_status")).isEqualTo("valid");
    assertThat(last.getJsonObject("output")).isEqualTo(new JsonObject().put("a", 7));

    HttpResponse<Buffer> mismatch = post("/api/v1/prompts/json_out/execute", input("a", "seven").put("stream", true));
    List<JsonObject> chunks = Sse.json(mismatch.bodyAsString());
    JsonObject end = chunks.get(chunks.size() - 1);
    assertThat(end.getString("output_status")).isEqualTo("schema_mismatch");
    assertThat(end.getJsonArray("output_violations")).isNotEmpty();

    HttpResponse<Buffer> shortcut = post("/v1/chat/completions", new JsonObject().put("model", "prompt:json_free")
        .put("stream", true));
    List<JsonObject> free = Sse.json(shortcut.bodyAsString());
    assertThat(free.get(free.size() - 1).getString("output_status")).isEqualTo("invalid_json");
    assertThat(free.get(free.size() - 1).getString("output_error")).contains("not valid JSON");
  }

  @Test
  void theChatShortcutCarriesTheCheckedOutputToo() {
    HttpResponse<Buffer> response = post("/v1/chat/completions", new JsonObject().put("model", "prompt:json_out")
        .put("input", new JsonObject().put("a", 5)));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    assertThat(response.bodyAsJsonObject().getString("output_status")).isEqualTo("valid");
    assertThat(response.bodyAsJsonObject().getJsonObject("output")).isEqualTo(new JsonObject().put("a", 5));
  }

  @Test
  void aPlainStreamHasNoOutputChunk() {
    HttpResponse<Buffer> response = post("/api/v1/prompts/hello/execute", input("name", "X").put("stream", true));
    assertThat(Sse.json(response.bodyAsString())).noneMatch(chunk -> chunk.containsKey("output_status"));
  }

  @Test
  void webSocketDoneFrameCarriesTheCheckedOutput() {
    WsClient ws = WsClient.connect(clientVertx, server.port());
    try {
      ws.send(new JsonObject().put("type", "prompt").put("id", "p1").put("name", "json_out")
          .put("input", new JsonObject().put("a", 3)));
      JsonObject done = ws.awaitEnd("p1");
      assertThat(done.getString("type")).isEqualTo("done");
      assertThat(done.getString("output_status")).isEqualTo("valid");
      assertThat(done.getJsonObject("output")).isEqualTo(new JsonObject().put("a", 3));
      ws.send(new JsonObject().put("type", "prompt").put("id", "p2").put("name", "hello")
          .put("input", new JsonObject().put("name", "X")));
      assertThat(ws.awaitEnd("p2").containsKey("output_status")).isFalse();
    } finally {
      ws.close();
    }
  }
}
