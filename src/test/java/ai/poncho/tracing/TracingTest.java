package ai.poncho.tracing;

import static ai.poncho.testing.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.poncho.chat.Ids;
import ai.poncho.testing.FakeUpstream;
import ai.poncho.testing.JsonLogLines;
import ai.poncho.testing.OtlpReceiver;
import ai.poncho.testing.OtlpReceiver.ReceivedSpan;
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
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Traces as a collector receives them (OTLP/HTTP protobuf, decoded in-process): one trace per request
 * from the client's {@code traceparent} through the HTTP server span, the bus hops, the dispatch span,
 * one GenAI span per upstream attempt and the upstream HTTP client span, whose {@code traceparent} the
 * fake provider receives; streams, retries with fallback, {@code prompt:} calls and cache hits; log
 * lines carrying the request and trace ids.
 */
class TracingTest {

  @TempDir
  static Path prompts;

  private static OtlpReceiver collector;
  private static FakeUpstream upstream;
  private static FakeUpstream backup;
  private static TestServer server;
  private static Vertx clientVertx;
  private static WebClient client;

  static JsonObject tracedConfig(String endpoint, boolean captureContent) {
    return TestServer.config().put("otel", new JsonObject().put("enabled", true).put("endpoint", endpoint)
        .put("protocol", "http/protobuf").put("service_name", "poncho-test").put("capture_content", captureContent)
        .put("sdk", new JsonObject().put("otel.bsp.schedule.delay", "50")));
  }

  static JsonObject openAi(FakeUpstream fake) {
    return new JsonObject().put("provider", "openai").put("api_key", "sk-upstream").put("base_url", fake.baseUrl())
        .put("model_name", "gpt-up").put("max_retries", 1).put("retry_initial_backoff", "10ms")
        .put("circuit_breaker", new JsonObject().put("enabled", false));
  }

  @BeforeAll
  static void start() throws IOException {
    Files.writeString(prompts.resolve("hello.prompt"), "---\nmodel: up\n---\nSay hello to {{name}}.");
    collector = OtlpReceiver.start();
    upstream = FakeUpstream.start();
    backup = FakeUpstream.start();
    JsonObject config = tracedConfig(collector.endpoint(), false)
        .put("prompts", new JsonObject().put("dir", prompts.toString()))
        .put("cache", new JsonObject().put("enabled", true));
    config.getJsonObject("http").put("access_log", true);
    config.getJsonObject("models").put("up", openAi(upstream))
        .put("flaky", openAi(upstream).put("fallbacks", new JsonArray().add("backup")))
        .put("backup", openAi(backup).put("model_name", "gpt-backup"));
    server = TestServer.start(config);
    clientVertx = Vertx.vertx();
    client = server.webClient(clientVertx);
  }

  @AfterAll
  static void stop() {
    await(clientVertx.close());
    server.close();
    upstream.close();
    backup.close();
    collector.close();
  }

  static String newTraceId() {
    byte[] id = new byte[16];
    ThreadLocalRandom.current().nextBytes(id);
    return HexFormat.of().formatHex(id);
  }

  static JsonObject chat(String model, String text) {
    return new JsonObject().put("model", model).put("temperature", 0.3).put("max_tokens", 64)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", text)));
  }

  static HttpResponse<Buffer> post(WebClient web, String traceId, JsonObject body) {
    return await(web.post("/v1/chat/completions").putHeader("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01")
        .putHeader("tracestate", "clientvendor=opaque1").sendJsonObject(body));
  }

  /** The trace's spans once {@code count} spans named {@code name} have arrived. */
  static List<ReceivedSpan> awaitTrace(OtlpReceiver receiver, String traceId, String name, int count) {
    await().atMost(Duration.ofSeconds(20)).until(() -> receiver.trace(traceId).stream()
        .filter(span -> span.name().startsWith(name)).count() >= count);
    return receiver.trace(traceId);
  }

  static ReceivedSpan one(List<ReceivedSpan> spans, String namePrefix) {
    List<ReceivedSpan> named = spans.stream().filter(span -> span.name().startsWith(namePrefix)).toList();
    assertThat(named).as("spans named %s in %s", namePrefix, spans).hasSize(1);
    return named.get(0);
  }

  static ReceivedSpan byId(List<ReceivedSpan> spans, String spanId) {
    return spans.stream().filter(span -> span.spanId().equals(spanId)).findFirst().orElseThrow();
  }

  /** Whether {@code child} descends from {@code ancestor} through the spans of its trace. */
  static boolean descends(List<ReceivedSpan> spans, ReceivedSpan child, ReceivedSpan ancestor) {
    String parent = child.parentSpanId();
    while (!parent.isEmpty()) {
      if (parent.equals(ancestor.spanId())) {
        return true;
      }
      String current = parent;
      parent = spans.stream().filter(span -> span.spanId().equals(current)).map(ReceivedSpan::parentSpanId)
          .findFirst().orElse("");
    }
    return false;
  }

  @Test
  void aPlainCallIsOneTraceFromTheClientToTheProvider() {
    upstream.reset();
    upstream.then(FakeUpstream.openAiChat("gpt-up", "hi there", 7, 3));
    String traceId = newTraceId();
    HttpResponse<Buffer> response = post(client, traceId, chat("up", "plain " + Ids.random("")));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    assertThat(response.getHeader("x-request-id")).isNotBlank();
    String traceparent = response.getHeader("traceparent");
    assertThat(traceparent).matches("00-" + traceId + "-[0-9a-f]{16}-01");

    List<ReceivedSpan> spans = awaitTrace(collector, traceId, "POST", 2);
    ReceivedSpan http = spans.stream().filter(span -> span.kind().equals("SPAN_KIND_SERVER")
        && span.name().equals("POST /v1/chat/completions")).findFirst().orElseThrow();
    // The client's span is the server span's parent; the answer names the server span.
    assertThat(http.parentSpanId()).isEqualTo("00f067aa0ba902b7");
    assertThat(traceparent).isEqualTo("00-" + traceId + "-" + http.spanId() + "-01");
    assertThat(http.attribute("poncho.request_id")).isEqualTo(response.getHeader("x-request-id"));
    assertThat(http.attribute("http.route")).isEqualTo("/v1/chat/completions");
    assertThat(http.service()).isEqualTo("poncho-test");

    ReceivedSpan dispatch = one(spans, "dispatch up");
    assertThat(descends(spans, dispatch, http)).isTrue();
    assertThat(dispatch.attributes()).containsEntry("gen_ai.operation.name", "chat")
        .containsEntry("gen_ai.request.model", "up").containsEntry("gen_ai.response.model", "up")
        .containsEntry("poncho.request_id", response.getHeader("x-request-id"))
        .containsEntry("poncho.cache", "bypass");
    ReceivedSpan attempt = one(spans, "chat gpt-up");
    assertThat(attempt.parentSpanId()).isEqualTo(dispatch.spanId());
    assertThat(attempt.kind()).isEqualTo("SPAN_KIND_CLIENT");
    assertThat(attempt.attributes()).containsEntry("gen_ai.operation.name", "chat")
        .containsEntry("gen_ai.system", "openai").containsEntry("gen_ai.provider.name", "openai")
        .containsEntry("gen_ai.request.model", "gpt-up").containsEntry("gen_ai.request.temperature", "0.3")
        .containsEntry("gen_ai.request.max_tokens", "64").containsEntry("gen_ai.usage.input_tokens", "7")
        .containsEntry("gen_ai.usage.output_tokens", "3").containsEntry("gen_ai.response.finish_reasons", "[stop]")
        .containsEntry("gen_ai.response.id", "chatcmpl-fake1").containsEntry("poncho.attempt", "1")
        .containsKey("gen_ai.response.model").doesNotContainKey("poncho.fallback_from")
        // Content is off by default.
        .doesNotContainKeys("gen_ai.input.messages", "gen_ai.output.messages");
    ReceivedSpan upstreamCall = spans.stream().filter(span -> span.kind().equals("SPAN_KIND_CLIENT")
        && span.name().equals("POST")).findFirst().orElseThrow();
    assertThat(upstreamCall.parentSpanId()).isEqualTo(attempt.spanId());
    assertThat(upstreamCall.attribute("http.response.status_code")).isEqualTo("200");
    // The provider got the trace: its parent is the upstream client span.
    assertThat(upstream.received()).hasSize(1);
    assertThat(upstream.received().get(0).headers().get("traceparent"))
        .isEqualTo("00-" + traceId + "-" + upstreamCall.spanId() + "-01");
    // The client's tracestate travels with the trace to the provider.
    assertThat(upstream.received().get(0).headers().get("tracestate")).isEqualTo("clientvendor=opaque1");
  }

  @Test
  void aStreamIsTracedByItsOpeningNotByItsChunks() {
    upstream.reset();
    upstream.then(FakeUpstream.openAiChat("gpt-up", "streamed words", 5, 2));
    String traceId = newTraceId();
    HttpResponse<Buffer> response = post(client, traceId, chat("up", "stream " + Ids.random("")).put("stream", true)
        .put("stream_options", new JsonObject().put("include_usage", true)));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(Sse.content(Sse.json(response.bodyAsString()))).isEqualTo("streamed words");
    assertThat(response.getHeader("traceparent")).startsWith("00-" + traceId + "-");

    List<ReceivedSpan> spans = awaitTrace(collector, traceId, "dispatch up", 1);
    ReceivedSpan attempt = one(spans, "chat gpt-up");
    assertThat(attempt.events()).contains("gen_ai.first_token");
    assertThat(Double.parseDouble(attempt.eventAttributes().get("gen_ai.first_token").get("poncho.ttft_ms")))
        .isPositive();
    assertThat(attempt.attributes()).containsEntry("gen_ai.usage.input_tokens", "5")
        .containsEntry("gen_ai.usage.output_tokens", "2").containsEntry("gen_ai.response.finish_reasons", "[stop]")
        .containsEntry("gen_ai.response.id", "chatcmpl-fake2");
    assertThat(one(spans, "dispatch up").attributes()).containsEntry("gen_ai.response.model", "up");
    // Only the stream's opening crosses the bus traced: chunks, end and credit make no spans.
    assertThat(spans).filteredOn(span -> span.attributes().containsKey("messaging.destination.name"))
        .allSatisfy(span -> assertThat(span.attribute("messaging.destination.name"))
            .isEqualTo("poncho.dispatch.stream"));
    assertThat(upstream.received().get(0).headers().get("traceparent")).startsWith("00-" + traceId + "-");
  }

  @Test
  void retriesAndTheFallbackAreAttemptsOfOneTrace() {
    upstream.reset();
    backup.reset();
    JsonObject boom = new JsonObject().put("error", new JsonObject().put("message", "boom").put("type", "server_error"));
    upstream.then(FakeUpstream.json(500, boom)).then(FakeUpstream.json(500, boom));
    backup.then(FakeUpstream.openAiChat("gpt-backup", "saved", 4, 1));
    String traceId = newTraceId();
    HttpResponse<Buffer> response = post(client, traceId, chat("flaky", "retry " + Ids.random("")));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    assertThat(response.getHeader("x-poncho-model")).isEqualTo("backup");

    List<ReceivedSpan> spans = awaitTrace(collector, traceId, "dispatch flaky", 1);
    List<ReceivedSpan> attempts = spans.stream().filter(span -> span.name().startsWith("chat "))
        .sorted(java.util.Comparator.comparing(span -> span.attribute("poncho.attempt"))).toList();
    assertThat(attempts).extracting(ReceivedSpan::name).containsExactly("chat gpt-up", "chat gpt-up",
        "chat gpt-backup");
    assertThat(attempts).extracting(span -> span.attribute("poncho.retry")).containsExactly("0", "1", "0");
    assertThat(attempts).extracting(ReceivedSpan::error).containsExactly(true, true, false);
    assertThat(attempts.get(0).attribute("error.type")).isNotBlank();
    assertThat(attempts.get(2).attributes()).containsEntry("poncho.fallback_from", "flaky")
        .containsEntry("poncho.model", "backup").containsEntry("gen_ai.usage.output_tokens", "1");
    ReceivedSpan dispatch = one(spans, "dispatch flaky");
    assertThat(attempts).allSatisfy(span -> assertThat(span.parentSpanId()).isEqualTo(dispatch.spanId()));
    assertThat(dispatch.events()).containsExactly("poncho.retry", "poncho.fallback");
    assertThat(dispatch.eventAttributes().get("poncho.fallback")).containsEntry("poncho.fallback_from", "flaky")
        .containsEntry("poncho.model", "backup");
    assertThat(dispatch.attribute("gen_ai.response.model")).isEqualTo("backup");
    // Each upstream call is a child of its attempt and carried the trace to its provider.
    assertThat(spans).filteredOn(span -> span.kind().equals("SPAN_KIND_CLIENT") && span.name().equals("POST"))
        .hasSize(3).allSatisfy(call -> assertThat(attempts).extracting(ReceivedSpan::spanId)
            .contains(call.parentSpanId()));
    assertThat(backup.received().get(0).headers().get("traceparent")).startsWith("00-" + traceId + "-");
  }

  @Test
  void aPromptCallHasItsRenderSpan() {
    upstream.reset();
    upstream.then(FakeUpstream.openAiChat("gpt-up", "Hello, Ada!", 6, 3));
    String traceId = newTraceId();
    HttpResponse<Buffer> response = post(client, traceId, new JsonObject().put("model", "prompt:hello")
        .put("input", new JsonObject().put("name", "Ada " + Ids.random(""))));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);

    List<ReceivedSpan> spans = awaitTrace(collector, traceId, "dispatch up", 1);
    ReceivedSpan http = spans.stream().filter(span -> span.kind().equals("SPAN_KIND_SERVER")
        && span.name().equals("POST /v1/chat/completions")).findFirst().orElseThrow();
    ReceivedSpan render = one(spans, "prompt.render");
    assertThat(render.attribute("poncho.prompt")).isEqualTo("hello");
    assertThat(descends(spans, render, http)).isTrue();
    ReceivedSpan attempt = one(spans, "chat gpt-up");
    assertThat(descends(spans, attempt, http)).isTrue();
    assertThat(spans).filteredOn(span -> "poncho.prompt.complete".equals(span.attribute("messaging.destination.name")))
        .isNotEmpty();
  }

  @Test
  void aCacheHitIsADispatchWithoutAttempts() {
    upstream.reset();
    upstream.then(FakeUpstream.openAiChat("gpt-up", "cached answer", 5, 2));
    JsonObject body = chat("up", "cache me " + Ids.random("")).put("temperature", 0).put("seed", 7);
    String first = newTraceId();
    HttpResponse<Buffer> missed = post(client, first, body);
    assertThat(missed.getHeader("x-poncho-cache")).as(missed.headers() + missed.bodyAsString()).isEqualTo("miss");
    String second = newTraceId();
    HttpResponse<Buffer> hit = post(client, second, body);
    assertThat(hit.getHeader("x-poncho-cache")).isEqualTo("hit");

    assertThat(one(awaitTrace(collector, first, "dispatch up", 1), "dispatch up").attribute("poncho.cache"))
        .isEqualTo("miss");
    List<ReceivedSpan> spans = awaitTrace(collector, second, "POST", 1);
    await().atMost(Duration.ofSeconds(20)).until(() -> collector.trace(second).stream()
        .anyMatch(span -> span.name().equals("dispatch up")));
    spans = collector.trace(second);
    assertThat(one(spans, "dispatch up").attribute("poncho.cache")).isEqualTo("hit");
    assertThat(spans).noneMatch(span -> span.name().startsWith("chat "));
    assertThat(upstream.received()).hasSize(1);
  }

  @Test
  void everyLogLineOfATracedRequestCarriesItsRequestAndTraceIds() {
    upstream.reset();
    JsonObject boom = new JsonObject().put("error", new JsonObject().put("message", "boom").put("type", "server_error"));
    upstream.then(FakeUpstream.json(500, boom)).then(FakeUpstream.openAiChat("gpt-up", "ok", 3, 1));
    String traceId = newTraceId();
    String requestId = "req-traced-" + Ids.random("");
    try (JsonLogLines log = JsonLogLines.capture("ai.poncho")) {
      HttpResponse<Buffer> response = await(client.post("/v1/chat/completions").putHeader("x-request-id", requestId)
          .putHeader("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01").sendJsonObject(chat("up", "logs")));
      assertThat(response.statusCode()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(20)).until(() -> log.lines().stream()
          .anyMatch(line -> requestId.equals(line.getString("request_id"))
              && "poncho.access".equals(line.getString("logger"))));
      List<JsonObject> lines = log.lines().stream()
          .filter(line -> requestId.equals(line.getString("request_id"))
              || line.getString("message", "").contains(requestId)).toList();
      assertThat(lines).extracting(line -> line.getString("logger")).contains("poncho.access",
          "ai.poncho.model.Failover", "ai.poncho.provider.http.HttpChatProvider");
      assertThat(lines).allSatisfy(line -> {
        assertThat(line.getString("request_id")).as(line.encode()).isEqualTo(requestId);
        assertThat(line.getString("trace_id")).as(line.encode()).isEqualTo(traceId);
        assertThat(line.getString("span_id")).as(line.encode()).matches("[0-9a-f]{16}");
      });
    }
  }

  @Test
  void webSocketGenerationsAreChildrenOfTheHandshakeWithTheirOwnRequestIds() {
    String traceId = newTraceId();
    WsClient ws = WsClient.connect(clientVertx.createWebSocketClient(), WsClient.options(server.port())
        .addHeader("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01").addHeader("x-request-id", "ws-conn-1"));
    for (String id : List.of("g1", "g2")) {
      ws.send(new JsonObject().put("type", "chat").put("id", id).put("request", chat("mock", "over ws " + id)));
    }
    assertThat(ws.awaitEnd("g1").getString("type")).isEqualTo("done");
    assertThat(ws.awaitEnd("g2").getString("type")).isEqualTo("done");
    ws.close();

    List<ReceivedSpan> spans = awaitTrace(collector, traceId, "dispatch mock", 2);
    ReceivedSpan handshake = spans.stream().filter(span -> span.kind().equals("SPAN_KIND_SERVER")
        && span.name().startsWith("GET")).findFirst().orElseThrow();
    assertThat(handshake.parentSpanId()).isEqualTo("00f067aa0ba902b7");
    List<ReceivedSpan> generations = spans.stream().filter(span -> span.name().equals("ws.generation mock"))
        .toList();
    assertThat(generations).extracting(span -> span.attribute("poncho.request_id"))
        .containsExactlyInAnyOrder("ws-conn-1:g1", "ws-conn-1:g2");
    assertThat(generations).allSatisfy(generation -> {
      assertThat(generation.parentSpanId()).isEqualTo(handshake.spanId());
      ReceivedSpan dispatch = spans.stream().filter(span -> span.name().equals("dispatch mock")
          && generation.attribute("poncho.request_id").equals(span.attribute("poncho.request_id")))
          .findFirst().orElseThrow();
      assertThat(descends(spans, dispatch, generation)).isTrue();
    });
  }
}
