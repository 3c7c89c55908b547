package ai.poncho.tracing;

import static ai.poncho.testing.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;

import ai.poncho.chat.Ids;
import ai.poncho.config.ConfigException;
import ai.poncho.config.PonchoConfig;
import ai.poncho.testing.AuthClient;
import ai.poncho.testing.FakeUpstream;
import ai.poncho.testing.OtlpReceiver;
import ai.poncho.testing.OtlpReceiver.ReceivedSpan;
import ai.poncho.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

/**
 * What the {@code otel.*} settings do: off installs no tracer at all, {@code capture_content} decides
 * whether prompt and completion text reach the spans, and a collector that is gone costs requests nothing.
 */
class TracingSettingsTest {

  @Test
  void offByDefaultNoTracerNoTraceparent() {
    try (TestServer server = TestServer.start()) {
      assertThat(((VertxInternal) server.vertx()).tracer()).isNull();
      assertThat(Tracing.of(server.vertx()).on()).isFalse();
      Vertx clientVertx = Vertx.vertx();
      try {
        HttpResponse<Buffer> response = TracingTest.post(server.webClient(clientVertx), TracingTest.newTraceId(),
            TracingTest.chat("mock", "untraced"));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.getHeader("x-request-id")).isNotBlank();
        assertThat(response.getHeader("traceparent")).isNull();
      } finally {
        await(clientVertx.close());
      }
    }
  }

  @Test
  void contentIsCapturedOnlyWhenAskedFor() {
    try (OtlpReceiver collector = OtlpReceiver.start(); FakeUpstream upstream = FakeUpstream.start()) {
      upstream.always(FakeUpstream.openAiChat("gpt-up", "the secret answer", 4, 3));
      JsonObject config = TracingTest.tracedConfig(collector.endpoint(), true);
      config.getJsonObject("models").put("up", TracingTest.openAi(upstream));
      try (TestServer server = TestServer.start(config)) {
        Vertx clientVertx = Vertx.vertx();
        try {
          String traceId = TracingTest.newTraceId();
          String text = "the secret question " + Ids.random("");
          assertThat(TracingTest.post(server.webClient(clientVertx), traceId, TracingTest.chat("up", text))
              .statusCode()).isEqualTo(200);
          ReceivedSpan attempt = TracingTest.one(TracingTest.awaitTrace(collector, traceId, "chat gpt-up", 1),
              "chat gpt-up");
          assertThat(new io.vertx.core.json.JsonArray(attempt.attribute("gen_ai.input.messages")).getJsonObject(0)
              .getString("content")).isEqualTo(text);
          assertThat(attempt.attribute("gen_ai.output.messages")).contains("the secret answer");
        } finally {
          await(clientVertx.close());
        }
      }
    }
  }

  @Test
  void aDeadCollectorNeitherFailsNorHoldsRequests() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    for (String protocol : List.of("http/protobuf", "grpc")) {
      JsonObject config = TracingTest.tracedConfig("http://127.0.0.1:" + closedPort, false);
      config.getJsonObject("otel").put("protocol", protocol);
      try (TestServer server = TestServer.start(config)) {
        Vertx clientVertx = Vertx.vertx();
        try {
          WebClient client = server.webClient(clientVertx);
          List<HttpResponse<Buffer>> responses = new ArrayList<>();
          for (int i = 0; i < 20; i++) {
            responses.add(TracingTest.post(client, TracingTest.newTraceId(),
                TracingTest.chat("mock", "collector gone " + i)));
          }
          assertThat(responses).allSatisfy(response -> {
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.getHeader("traceparent")).isNotBlank();
          });
          assertThat(responses.get(19).bodyAsJsonObject().getJsonArray("choices").getJsonObject(0)
              .getJsonObject("message").getString("content")).isEqualTo("Mock reply to: collector gone 19");
        } finally {
          await(clientVertx.close());
        }
      }
    }
  }

  /** With the state in Redis, the commands a traced call sends (here the response cache's) are spans of its trace. */
  @Test
  void redisCommandsAreSpansOfTheTrace() {
    try (OtlpReceiver collector = OtlpReceiver.start()) {
      JsonObject config = TracingTest.tracedConfig(collector.endpoint(), false)
          .put("state", new JsonObject().put("backend", "redis").put("redis", new JsonObject()
              .put("url", "redis://127.0.0.1:6379").put("prefix", Ids.random("trace-test-") + ":")))
          .put("cache", new JsonObject().put("enabled", true));
      try (TestServer server = TestServer.start(config)) {
        Vertx clientVertx = Vertx.vertx();
        try {
          String traceId = TracingTest.newTraceId();
          HttpResponse<Buffer> response = TracingTest.post(server.webClient(clientVertx), traceId,
              TracingTest.chat("mock", "redis " + Ids.random("")).put("temperature", 0).put("seed", 1));
          assertThat(response.getHeader("x-poncho-cache")).isEqualTo("miss");
          List<ReceivedSpan> spans = TracingTest.awaitTrace(collector, traceId, "dispatch mock", 1);
          ReceivedSpan dispatch = TracingTest.one(spans, "dispatch mock");
          assertThat(spans).filteredOn(span -> "redis".equals(span.attribute("db.system")))
              .anySatisfy(span -> {
                assertThat(span.parentSpanId()).isEqualTo(dispatch.spanId());
                assertThat(span.attribute("db.operation.name")).isEqualTo("get");
              });
        } finally {
          await(clientVertx.close());
        }
      }
    }
  }

  @Test
  void theCallersKeyIdIsOnTheDispatchSpan() {
    String master = AuthClient.newMasterKey();
    try (OtlpReceiver collector = OtlpReceiver.start()) {
      JsonObject config = TracingTest.tracedConfig(collector.endpoint(), false)
          .put("auth", new JsonObject().put("master_key", master));
      try (TestServer server = TestServer.start(config); AuthClient auth = new AuthClient(server)) {
        JsonObject key = auth.createKey(master, AuthClient.key("user"));
        Vertx clientVertx = Vertx.vertx();
        try {
          String traceId = TracingTest.newTraceId();
          HttpResponse<Buffer> response = await(server.webClient(clientVertx).post("/v1/chat/completions")
              .bearerTokenAuthentication(key.getString("key"))
              .putHeader("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01")
              .sendJsonObject(TracingTest.chat("mock", "keyed")));
          assertThat(response.statusCode()).isEqualTo(200);
          ReceivedSpan dispatch = TracingTest.one(TracingTest.awaitTrace(collector, traceId, "dispatch mock", 1),
              "dispatch mock");
          assertThat(dispatch.attribute("poncho.key_id")).isEqualTo(key.getString("id"));
        } finally {
          await(clientVertx.close());
        }
      }
    }
  }

  @Test
  void badSettingsAreReportedAtStartUp() {
    JsonObject config = TestServer.config().put("otel", new JsonObject().put("enabled", true)
        .put("endpoint", "collector:4317").put("protocol", "thrift").put("sampler_ratio", 2)
        .put("sdk", new JsonObject().put("bsp.schedule.delay", "50")));
    Assertions.assertThatThrownBy(() -> PonchoConfig.from(config)).isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSize(4).anySatisfy(problem ->
            assertThat(problem).startsWith("otel.endpoint")).anySatisfy(problem ->
            assertThat(problem).startsWith("otel.protocol")).anySatisfy(problem ->
            assertThat(problem).startsWith("otel.sampler_ratio")).anySatisfy(problem ->
            assertThat(problem).startsWith("otel.sdk")));
  }
}
