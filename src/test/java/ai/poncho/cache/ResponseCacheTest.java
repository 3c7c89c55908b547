package ai.poncho.cache;

import static ai.poncho.testing.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.poncho.bus.Addresses;
import ai.poncho.bus.DispatchRequest;
import ai.poncho.chat.ChatJson;
import ai.poncho.chat.ChatResponse;
import ai.poncho.chat.Ids;
import ai.poncho.security.Caller;
import ai.poncho.testing.FakeUpstream;
import ai.poncho.testing.Metrics;
import ai.poncho.testing.Sse;
import ai.poncho.testing.TestServer;
import ai.poncho.testing.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The response cache over real HTTP, SSE and WebSocket against a fake OpenAI upstream that counts its
 * calls and answers something new each time, so a served answer shows where it came from. Two dispatch
 * instances share the node's cache.
 */
class ResponseCacheTest {

  private static final String KEY = "sk-test-cache-0123456789";
  private static FakeUpstream upstream;
  private static TestServer server;
  private static Vertx clientVertx;
  private static WebClient client;

  @BeforeAll
  static void start() {
    upstream = FakeUpstream.start();
    upstream.always(new CachingUpstream().responder());
    JsonObject config = TestServer.config();
    config.getJsonObject("dispatch").put("instances", 2);
    JsonObject openai = new JsonObject().put("provider", "openai").put("api_key", KEY)
        .put("base_url", upstream.baseUrl() + "/v1").put("max_retries", 0).put("stream_idle_timeout", "1500ms")
        .put("circuit_breaker", new JsonObject().put("enabled", false))
        .put("supports", new JsonObject().put("vision", true).put("tools", true));
    config.getJsonObject("models").put("gpt", openai.copy().put("model_name", "gpt-4o-2024-08-06"))
        .put("uncached", openai.copy().put("cache", false))
        .put("backup", openai.copy())
        .put("flaky", openai.copy().put("base_url", "http://127.0.0.1:1/v1").put("fallbacks", new JsonArray().add("backup")));
    config.put("cache", new JsonObject().put("enabled", true));
    server = TestServer.start(config);
    clientVertx = Vertx.vertx();
    client = server.webClient(clientVertx);
  }

  @AfterAll
  static void stop() {
    await(clientVertx.close());
    server.close();
    upstream.close();
  }

  @BeforeEach
  void reset() {
    upstream.reset();
  }

  static JsonObject request(String text) {
    return new JsonObject().put("model", "gpt").put("temperature", 0)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", text)));
  }

  static HttpResponse<Buffer> post(JsonObject body, Map<String, String> headers) {
    HttpRequest<Buffer> request = client.post("/v1/chat/completions");
    headers.forEach(request::putHeader);
    return await(request.sendJsonObject(body));
  }

  static HttpResponse<Buffer> post(JsonObject body) {
    return post(body, Map.of());
  }

  private static String content(HttpResponse<Buffer> response) {
    return response.bodyAsJsonObject().getJsonArray("choices").getJsonObject(0).getJsonObject("message")
        .getString("content");
  }

  @Test
  void anIdenticalRequestIsAnsweredFromTheCacheWithTheSameContentAndUsage() {
    JsonObject body = request("identical").put("user", "alice").put("metadata", new JsonObject().put("run", "1"));
    HttpResponse<Buffer> first = post(body);
    HttpResponse<Buffer> second = post(body.copy().put("user", "bob").put("metadata", new JsonObject().put("run", "2")));

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.getHeader("x-poncho-cache")).isEqualTo("miss");
    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(second.getHeader("x-poncho-cache")).isEqualTo("hit");
    assertThat(upstream.count()).isEqualTo(1);
    JsonObject a = first.bodyAsJsonObject();
    JsonObject b = second.bodyAsJsonObject();
    assertThat(content(second)).isEqualTo(content(first)).startsWith("Answer ");
    assertThat(b.getString("object")).isEqualTo("chat.completion");
    assertThat(b.getString("id")).startsWith("chatcmpl-").isNotEqualTo(a.getString("id"));
    assertThat(b.getString("model")).isEqualTo("gpt");
    assertThat(b.getJsonObject("usage")).isEqualTo(new JsonObject().put("prompt_tokens", 11)
        .put("completion_tokens", 3).put("total_tokens", 14));
    assertThat(b.getJsonArray("choices").getJsonObject(0).getString("finish_reason")).isEqualTo("stop");
    assertThat(second.getHeader("x-poncho-model")).isEqualTo("gpt");
  }

  @Test
  void usageRecordsMarkHits() {
    JsonObject before = usageTotal();
    JsonObject body = request("metered twice");
    assertThat(post(body).getHeader("x-poncho-cache")).isEqualTo("miss");
    assertThat(post(body).getHeader("x-poncho-cache")).isEqualTo("hit");
    Awaitility.await().atMost(10, TimeUnit.SECONDS)
        .until(() -> usageTotal().getLong("cache_hits") > before.getLong("cache_hits"));
    assertThat(usageTotal().getLong("requests")).isGreaterThanOrEqualTo(before.getLong("requests") + 2);
  }

  private static JsonObject usageTotal() {
    return await(client.get("/api/v1/usage").send()).bodyAsJsonObject().getJsonObject("total");
  }

  @Test
  void aStreamedRequestAfterANonStreamedOneIsReplayedAsACompleteSseStream() {
    JsonObject body = request("replay me");
    String answer = content(post(body));
    HttpResponse<Buffer> streamed = post(body.copy().put("stream", true)
        .put("stream_options", new JsonObject().put("include_usage", true)));

    assertThat(upstream.count()).isEqualTo(1);
    assertThat(streamed.statusCode()).isEqualTo(200);
    assertThat(streamed.getHeader("content-type")).startsWith("text/event-stream");
    assertThat(streamed.getHeader("x-poncho-cache")).isEqualTo("hit");
    List<String> data = Sse.data(streamed.bodyAsString());
    assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
    List<JsonObject> chunks = Sse.json(streamed.bodyAsString());
    assertThat(chunks).allSatisfy(chunk -> {
      assertThat(chunk.getString("object")).isEqualTo("chat.completion.chunk");
      assertThat(chunk.getString("model")).isEqualTo("gpt");
      assertThat(chunk.getString("id")).isEqualTo(chunks.get(0).getString("id"));
    });
    JsonObject role = chunks.get(0).getJsonArray("choices").getJsonObject(0).getJsonObject("delta");
    assertThat(role.getString("role")).isEqualTo("assistant");
    assertThat(Sse.content(chunks)).isEqualTo(answer);
    JsonObject finish = chunks.get(chunks.size() - 2);
    assertThat(finish.getJsonArray("choices").getJsonObject(0).getString("finish_reason")).isEqualTo("stop");
    JsonObject last = chunks.get(chunks.size() - 1);
    assertThat(last.getJsonArray("choices")).isEmpty();
    assertThat(last.getJsonObject("usage").getInteger("total_tokens")).isEqualTo(14);
    // A hit costs nothing, and says so where a streamed miss puts its cost.
    assertThat(last.getJsonObject("usage").getString("cost_usd")).isEqualTo("0");
    assertThat(streamed.trailers().get("x-poncho-cost-usd")).isEqualTo("0");
  }

  @Test
  void withoutIncludeUsageTheReplayCarriesNoUsageChunk() {
    JsonObject body = request("replay without usage");
    post(body);
    List<JsonObject> chunks = Sse.json(post(body.copy().put("stream", true)).bodyAsString());
    assertThat(chunks).noneMatch(chunk -> chunk.containsKey("usage"));
    assertThat(chunks.get(chunks.size() - 1).getJsonArray("choices").getJsonObject(0).getString("finish_reason"))
        .isEqualTo("stop");
  }

  @Test
  void aStreamedAnswerIsStoredOnceItEndedAndServesANonStreamedRequest() {
    JsonObject body = request("stream first").put("stream", true);
    HttpResponse<Buffer> streamed = post(body);
    assertThat(streamed.getHeader("x-poncho-cache")).isEqualTo("miss");
    String answer = Sse.content(Sse.json(streamed.bodyAsString()));

    HttpResponse<Buffer> plain = post(request("stream first"));
    assertThat(plain.getHeader("x-poncho-cache")).isEqualTo("hit");
    assertThat(content(plain)).isEqualTo(answer);
    assertThat(plain.bodyAsJsonObject().getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(3);
    assertThat(upstream.count()).isEqualTo(1);
  }

  @Test
  void streamedToolCallsAreStoredWholeAndReplayedAsToolCallDeltas() {
    JsonObject body = request("weather?").put("stream", true).put("tools", new JsonArray().add(new JsonObject()
        .put("type", "function").put("function", new JsonObject().put("name", "get_weather")
            .put("parameters", new JsonObject().put("type", "object")))));
    post(body);
    HttpResponse<Buffer> plain = post(body.copy().put("stream", false));
    JsonObject message = plain.bodyAsJsonObject().getJsonArray("choices").getJsonObject(0).getJsonObject("message");
    assertThat(plain.getHeader("x-poncho-cache")).isEqualTo("hit");
    JsonObject call = message.getJsonArray("tool_calls").getJsonObject(0);
    assertThat(call.getString("id")).startsWith("call_");
    assertThat(call.getJsonObject("function").getString("name")).isEqualTo("get_weather");
    assertThat(new JsonObject(call.getJsonObject("function").getString("arguments")).getString("city"))
        .isEqualTo("Quito");
    assertThat(plain.bodyAsJsonObject().getJsonArray("choices").getJsonObject(0).getString("finish_reason"))
        .isEqualTo("tool_calls");

    List<JsonObject> replayed = Sse.json(post(body).bodyAsString());
    StringBuilder arguments = new StringBuilder();
    String name = null;
    for (JsonObject chunk : replayed) {
      for (Object choice : chunk.getJsonArray("choices")) {
        JsonArray calls = ((JsonObject) choice).getJsonObject("delta").getJsonArray("tool_calls");
        if (calls != null) {
          JsonObject function = calls.getJsonObject(0).getJsonObject("function");
          name = name == null ? function.getString("name") : name;
          arguments.append(function.getString("arguments", ""));
        }
      }
    }
    assertThat(name).isEqualTo("get_weather");
    assertThat(arguments.toString()).isEqualTo(call.getJsonObject("function").getString("arguments"));
    assertThat(upstream.count()).isEqualTo(1);
  }

  @Test
  void anotherTemperatureToolOrImageIsAMiss() {
    JsonObject base = request("vary").put("seed", 42).put("temperature", 0.2);
    post(base);
    assertThat(post(base).getHeader("x-poncho-cache")).isEqualTo("hit");
    assertThat(post(base.copy().put("temperature", 0.3)).getHeader("x-poncho-cache")).isEqualTo("miss");
    assertThat(post(base.copy().put("seed", 43)).getHeader("x-poncho-cache")).isEqualTo("miss");
    assertThat(post(base.copy().put("tools", new JsonArray().add(new JsonObject().put("type", "function")
        .put("function", new JsonObject().put("name", "lookup"))))).getHeader("x-poncho-cache")).isEqualTo("miss");
    JsonObject withImage = base.copy().put("messages", new JsonArray().add(new JsonObject().put("role", "user")
        .put("content", new JsonArray().add(new JsonObject().put("type", "text").put("text", "vary"))
            .add(new JsonObject().put("type", "image_url").put("image_url",
                new JsonObject().put("url", "https://example.com/a.png"))))));
    assertThat(post(withImage).getHeader("x-poncho-cache")).isEqualTo("miss");
    JsonObject otherImage = withImage.copy();
    otherImage.getJsonArray("messages").getJsonObject(0).getJsonArray("content").getJsonObject(1)
        .getJsonObject("image_url").put("url", "https://example.com/b.png");
    assertThat(post(otherImage).getHeader("x-poncho-cache")).isEqualTo("miss");
    assertThat(post(base.copy().put("response_format", new JsonObject().put("type", "json_object")))
        .getHeader("x-poncho-cache")).isEqualTo("miss");
    assertThat(post(base.copy().put("model", "backup")).getHeader("x-poncho-cache")).isEqualTo("miss");
    assertThat(upstream.count()).isEqualTo(8);
  }

  @Test
  void anAnswerFromAFallbackModelIsNotStoredForThePrimary() {
    JsonObject body = request("fallback").put("model", "flaky");
    HttpResponse<Buffer> first = post(body);
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.getHeader("x-poncho-model")).isEqualTo("backup");
    assertThat(post(body).getHeader("x-poncho-cache")).isEqualTo("miss");
    assertThat(upstream.count()).isEqualTo(2);
  }

  @Test
  void aToolResultInTheConversationIsPartOfTheKey() {
    JsonObject call = new JsonObject().put("id", "call_1").put("type", "function")
        .put("function", new JsonObject().put("name", "get_weather").put("arguments", "{}"));
    JsonObject body = request("tool result").put("messages", new JsonArray()
        .add(new JsonObject().put("role", "user").put("content", "weather?"))
        .add(new JsonObject().put("role", "assistant").put("tool_calls", new JsonArray().add(call)))
        .add(new JsonObject().put("role", "tool").put("tool_call_id", "call_1").put("content", "sunny")));
    post(body);
    JsonObject rainy = body.copy();
    rainy.getJsonArray("messages").getJsonObject(2).put("content", "rainy");
    assertThat(post(rainy).getHeader("x-poncho-cache")).isEqualTo("miss");
    assertThat(post(body).getHeader("x-poncho-cache")).isEqualTo("hit");
  }

  @Test
  void onlyTemperatureZeroOrASeedIsCachedByDefault() {
    JsonObject warm = request("warm").put("temperature", 0.7);
    assertThat(post(warm).getHeader("x-poncho-cache")).isEqualTo("bypass");
    assertThat(post(warm).getHeader("x-poncho-cache")).isEqualTo("bypass");
    JsonObject unset = request("unset");
    unset.remove("temperature");
    assertThat(post(unset).getHeader("x-poncho-cache")).isEqualTo("bypass");
    assertThat(upstream.count()).isEqualTo(3);
  }

  @Test
  void aModelWithCacheFalseIsNeverCached() {
    JsonObject body = request("not this model").put("model", "uncached");
    assertThat(post(body).getHeader("x-poncho-cache")).isEqualTo("bypass");
    assertThat(post(body).getHeader("x-poncho-cache")).isEqualTo("bypass");
    assertThat(upstream.count()).isEqualTo(2);
  }

  @Test
  void noStoreKeepsTheAnswerOutAndNoCacheRefreshesIt() {
    JsonObject body = request("directives");
    assertThat(post(body, Map.of("Cache-Control", "no-store")).getHeader("x-poncho-cache")).isEqualTo("miss");
    assertThat(post(body).getHeader("x-poncho-cache")).isEqualTo("miss");
    assertThat(upstream.count()).isEqualTo(2);
    String cached = content(post(body));

    HttpResponse<Buffer> refreshed = post(body, Map.of("Cache-Control", "no-cache"));
    assertThat(refreshed.getHeader("x-poncho-cache")).isEqualTo("bypass");
    assertThat(content(refreshed)).isNotEqualTo(cached);
    assertThat(upstream.count()).isEqualTo(3);
    HttpResponse<Buffer> after = post(body);
    assertThat(after.getHeader("x-poncho-cache")).isEqualTo("hit");
    assertThat(content(after)).isEqualTo(content(refreshed));

    assertThat(post(body, Map.of("Cache-Control", "no-cache, no-store")).getHeader("x-poncho-cache"))
        .isEqualTo("bypass");
    assertThat(content(post(body))).isEqualTo(content(refreshed));
  }

  @Test
  void entriesExpireAfterTheirTtlOnTheInjectedClock() {
    CacheClock clock = CacheClock.of(server.vertx());
    JsonObject body = request("short lived");
    post(body, Map.of("x-poncho-cache-ttl", "60"));
    clock.advance(Duration.ofSeconds(59));
    assertThat(post(body).getHeader("x-poncho-cache")).isEqualTo("hit");
    clock.advance(Duration.ofSeconds(2));
    assertThat(post(body).getHeader("x-poncho-cache")).isEqualTo("miss");

    JsonObject standard = request("default ttl");
    post(standard);
    clock.advance(Duration.ofMinutes(59));
    assertThat(post(standard).getHeader("x-poncho-cache")).isEqualTo("hit");
    clock.advance(Duration.ofMinutes(2));
    assertThat(post(standard).getHeader("x-poncho-cache")).isEqualTo("miss");
    assertThat(upstream.count()).isEqualTo(4);
    String scrape = await(client.get("/metrics").send()).bodyAsString();
    assertThat(Metrics.sum(scrape, "poncho_cache_evictions_total", "reason=\"expired\"")).isPositive();
  }

  @Test
  void aBadTtlHeaderIsA400() {
    HttpResponse<Buffer> response = post(request("bad ttl"), Map.of("x-poncho-cache-ttl", "soon"));
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("param")).isEqualTo("x-poncho-cache-ttl");
    assertThat(upstream.count()).isZero();
  }

  @Test
  void aFailedStreamIsNotStored() {
    upstream.then(FakeUpstream.sseThenReset(CachingUpstream.frames("gpt", 0, null).subList(0, 3)));
    JsonObject body = request("fails midway").put("stream", true);
    String failed = post(body).bodyAsString();
    assertThat(failed).contains("\"error\"").doesNotContain("[DONE]");

    HttpResponse<Buffer> next = post(body);
    assertThat(next.getHeader("x-poncho-cache")).isEqualTo("miss");
    assertThat(next.bodyAsString()).endsWith("data: [DONE]\n\n");
    assertThat(upstream.count()).isEqualTo(2);
  }

  @Test
  void aTruncatedStreamIsNotStored() {
    List<String> frames = CachingUpstream.frames("gpt", 0, null);
    upstream.then(FakeUpstream.sse(frames.subList(0, 3)));
    JsonObject body = request("cut short").put("stream", true);
    assertThat(post(body).bodyAsString()).doesNotContain("[DONE]");
    assertThat(post(body).getHeader("x-poncho-cache")).isEqualTo("miss");
    assertThat(upstream.count()).isEqualTo(2);
  }

  @Test
  void aCancelledStreamIsNotStored() {
    upstream.then(FakeUpstream.sseThenStall(CachingUpstream.frames("gpt", 0, null).subList(0, 3)));
    JsonObject body = request("left early").put("stream", true);
    HttpClient http = server.httpClient(clientVertx);
    CompletableFuture<Void> firstChunk = new CompletableFuture<>();
    HttpClientResponse response = await(http.request(new RequestOptions().setMethod(HttpMethod.POST)
            .setURI("/v1/chat/completions").putHeader("content-type", "application/json"))
        .compose(request -> request.send(body.toBuffer())));
    response.handler(buffer -> firstChunk.complete(null));
    firstChunk.join();
    await(http.close());
    await().atMost(Duration.ofSeconds(10)).until(() -> upstream.closedConnections() > 0);

    HttpResponse<Buffer> next = post(body);
    assertThat(next.getHeader("x-poncho-cache")).isEqualTo("miss");
    assertThat(next.bodyAsString()).endsWith("data: [DONE]\n\n");
    assertThat(upstream.count()).isEqualTo(2);
  }

  @Test
  void concurrentIdenticalMissesMakeOneUpstreamCall() {
    upstream.then(FakeUpstream.delayed(400, new CachingUpstream().responder()));
    JsonObject body = request("all at once");
    HttpRequest<Buffer> plain = client.post("/v1/chat/completions");
    List<Future<HttpResponse<Buffer>>> calls = List.of(plain.sendJsonObject(body), plain.sendJsonObject(body),
        plain.sendJsonObject(body.copy().put("stream", true)));
    List<HttpResponse<Buffer>> responses = calls.stream().map(TestServer::await).toList();

    assertThat(upstream.count()).isEqualTo(1);
    assertThat(responses).extracting(r -> r.getHeader("x-poncho-cache")).containsExactlyInAnyOrder("miss", "hit", "hit");
    assertThat(content(responses.get(1))).isEqualTo(content(responses.get(0)));
    assertThat(Sse.content(Sse.json(responses.get(2).bodyAsString()))).isEqualTo(content(responses.get(0)));
  }

  @Test
  void callsWaitingOnAFailedLeaderGoUpstreamThemselves() {
    upstream.then(FakeUpstream.delayed(300, FakeUpstream.json(500, new JsonObject().put("error",
        new JsonObject().put("message", "boom").put("type", "server_error")))));
    JsonObject body = request("leader fails");
    HttpRequest<Buffer> plain = client.post("/v1/chat/completions");
    Future<HttpResponse<Buffer>> leader = plain.sendJsonObject(body);
    await().until(() -> upstream.count() == 1);
    HttpResponse<Buffer> follower = await(plain.sendJsonObject(body));
    assertThat(await(leader).statusCode()).isEqualTo(502);
    assertThat(follower.statusCode()).isEqualTo(200);
    assertThat(follower.getHeader("x-poncho-cache")).isEqualTo("miss");
    assertThat(upstream.count()).isEqualTo(2);
  }

  @Test
  void namespacesKeepOneKeysAnswersFromAnother() {
    JsonObject body = request("who asks");
    assertThat(dispatch(body, new Caller("key-a", "team-1", null))).isEqualTo("miss");
    assertThat(dispatch(body, new Caller("key-a", "team-1", null))).isEqualTo("hit");
    assertThat(dispatch(body, new Caller("key-b", "team-1", null))).isEqualTo("miss");
    assertThat(dispatch(body, Caller.ANONYMOUS)).isEqualTo("miss");
    assertThat(upstream.count()).isEqualTo(3);
  }

  static String dispatch(JsonObject body, Caller caller) {
    return dispatch(server, body, caller);
  }

  static String dispatch(TestServer node, JsonObject body, Caller caller) {
    Message<ChatResponse> reply = await(node.vertx().eventBus().request(Addresses.DISPATCH_COMPLETE,
        new DispatchRequest(Ids.requestId(), Ids.random("call_"), caller, ChatJson.request(body))));
    return reply.headers().get(Addresses.CACHE_HEADER);
  }

  @Test
  void theWebSocketApiGetsACachedAnswerAsChunkAndDoneFrames() {
    JsonObject body = request("over the socket");
    String answer = content(post(body));
    WsClient ws = WsClient.connect(clientVertx, server.port());
    try {
      ws.send(new JsonObject().put("type", "chat").put("id", "g1").put("request", body));
      JsonObject done = ws.awaitEnd("g1");
      assertThat(done.getString("type")).isEqualTo("done");
      assertThat(done.getString("finish_reason")).isEqualTo("stop");
      assertThat(done.getJsonObject("usage").getInteger("total_tokens")).isEqualTo(14);
      assertThat(done.getString("cache")).isEqualTo("hit");
      assertThat(done.getString("cost_usd")).isEqualTo("0");
      assertThat(ws.content("g1")).isEqualTo(answer);
      assertThat(upstream.count()).isEqualTo(1);
    } finally {
      ws.close();
    }
  }

  @Test
  void webSocketFramesCarryTheSameCacheInstructionsAsHttpHeaders() {
    JsonObject body = request("socket directives");
    WsClient ws = WsClient.connect(clientVertx, server.port());
    try {
      ws.send(new JsonObject().put("type", "chat").put("id", "s1").put("request", body)
          .put("cache", new JsonObject().put("no_store", true)));
      assertThat(ws.awaitEnd("s1").getString("cache")).isEqualTo("miss");
      ws.send(new JsonObject().put("type", "chat").put("id", "s2").put("request", body));
      assertThat(ws.awaitEnd("s2").getString("cache")).isEqualTo("miss");
      assertThat(upstream.count()).isEqualTo(2);
      ws.send(new JsonObject().put("type", "chat").put("id", "s3").put("request", body)
          .put("cache", new JsonObject().put("no_cache", true)));
      assertThat(ws.awaitEnd("s3").getString("cache")).isEqualTo("bypass");
      assertThat(upstream.count()).isEqualTo(3);
      assertThat(ws.content("s3")).isEqualTo(content(post(body)));

      // ttl 0: answered, not kept.
      JsonObject fresh = request("socket ttl zero");
      ws.send(new JsonObject().put("type", "chat").put("id", "s4").put("request", fresh)
          .put("cache", new JsonObject().put("ttl", 0)));
      assertThat(ws.awaitEnd("s4").getString("type")).isEqualTo("done");
      assertThat(post(fresh).getHeader("x-poncho-cache")).isEqualTo("miss");

      ws.send(new JsonObject().put("type", "chat").put("id", "s5").put("request", body)
          .put("cache", new JsonObject().put("ttl", "ten")));
      JsonObject bad = ws.awaitEnd("s5");
      assertThat(bad.getString("type")).isEqualTo("error");
      assertThat(bad.getJsonObject("error").getString("code")).isEqualTo("invalid_frame");
      assertThat(bad.getJsonObject("error").getString("param")).isEqualTo("cache.ttl");
    } finally {
      ws.close();
    }
  }

  @Test
  void purgeRemovesAllAnswersOrOneModels() {
    JsonObject gpt = request("purge me");
    JsonObject backup = request("purge me").put("model", "backup");
    post(gpt);
    post(backup);
    HttpResponse<Buffer> one = await(client.delete("/api/v1/cache?model=backup").send());
    assertThat(one.statusCode()).isEqualTo(200);
    assertThat(one.bodyAsJsonObject().getString("object")).isEqualTo("cache.purge");
    assertThat(one.bodyAsJsonObject().getString("model")).isEqualTo("backup");
    assertThat(one.bodyAsJsonObject().getLong("deleted")).isGreaterThanOrEqualTo(1);
    assertThat(post(backup).getHeader("x-poncho-cache")).isEqualTo("miss");
    assertThat(post(gpt).getHeader("x-poncho-cache")).isEqualTo("hit");

    HttpResponse<Buffer> all = await(client.delete("/api/v1/cache").send());
    assertThat(all.statusCode()).isEqualTo(200);
    assertThat(all.bodyAsJsonObject().getLong("deleted")).isGreaterThanOrEqualTo(2);
    assertThat(post(gpt).getHeader("x-poncho-cache")).isEqualTo("miss");
  }

  @Test
  void metricsCountHitsMissesBypassesStoresAndBytesPerModel() {
    JsonObject body = request("metered").put("model", "backup");
    post(body);
    post(body);
    post(body.copy().put("temperature", 1));
    String scrape = await(client.get("/metrics").send()).bodyAsString();
    assertThat(Metrics.sum(scrape, "poncho_cache_hits_total", "model=\"backup\"")).isGreaterThanOrEqualTo(1);
    assertThat(Metrics.sum(scrape, "poncho_cache_misses_total", "model=\"backup\"")).isGreaterThanOrEqualTo(1);
    assertThat(Metrics.sum(scrape, "poncho_cache_bypasses_total", "model=\"backup\"")).isGreaterThanOrEqualTo(1);
    assertThat(Metrics.sum(scrape, "poncho_cache_stores_total", "model=\"backup\"")).isGreaterThanOrEqualTo(1);
    assertThat(Metrics.sum(scrape, "poncho_cache_stored_bytes_total", "model=\"backup\"")).isPositive();
    assertThat(Metrics.sum(scrape, "poncho_cache_bytes", "model=\"backup\"")).isPositive();
    assertThat(Metrics.sum(scrape, "poncho_cache_entries")).isPositive();
  }

  @Test
  void theDashboardPlotsTheHitRatioFromMetricsTheGatewayExposes() throws java.io.IOException {
    String dashboard = java.nio.file.Files.readString(java.nio.file.Path.of("monitoring/grafana-dashboard.json"));
    JsonObject ratio = new JsonObject(dashboard).getJsonArray("panels").stream().map(JsonObject.class::cast)
        .filter(panel -> panel.getString("title").contains("hit ratio")).findFirst().orElseThrow();
    String expr = ratio.getJsonArray("targets").getJsonObject(0).getString("expr");
    assertThat(expr).contains("poncho_cache_hits_total").contains("poncho_cache_misses_total");
    post(request("dashboard"));
    post(request("dashboard"));
    post(request("dashboard").put("temperature", 1));
    String scrape = await(client.get("/metrics").send()).bodyAsString();
    java.util.regex.Matcher names = java.util.regex.Pattern.compile("poncho_cache_[a-z_]+").matcher(dashboard);
    while (names.find()) {
      if (!names.group().equals("poncho_cache_errors_total") && !names.group().equals("poncho_cache_evictions_total")) {
        assertThat(scrape).contains(names.group());
      }
    }
  }
}
