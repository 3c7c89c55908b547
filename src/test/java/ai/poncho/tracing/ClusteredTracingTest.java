package ai.poncho.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import ai.poncho.chat.Ids;
import ai.poncho.testing.FakeUpstream;
import ai.poncho.testing.OtlpReceiver;
import ai.poncho.testing.OtlpReceiver.ReceivedSpan;
import ai.poncho.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A request entering one node and dispatched on another is one trace: the context crosses the clustered
 * event bus in the message headers, so node B's dispatch and upstream spans are children of node A's.
 */
@ExtendWith(VertxExtension.class)
class ClusteredTracingTest {

  private static JsonObject node(String cluster, String service, String collector, FakeUpstream upstream,
                                 String... verticles) {
    JsonObject config = TracingTest.tracedConfig(collector, false);
    config.getJsonObject("otel").put("service_name", service);
    config.getJsonObject("models").put("up", TracingTest.openAi(upstream));
    return config.put("cluster", new JsonObject().put("enabled", true).put("name", cluster).put("host", "127.0.0.1")
        .put("members", new JsonArray().add("127.0.0.1")).put("verticles", new JsonArray(List.of(verticles))));
  }

  @Test
  void aRequestDispatchedOnAnotherNodeIsOneTrace(Vertx vertx) {
    String cluster = Ids.random("poncho-trace-");
    try (OtlpReceiver collector = OtlpReceiver.start(); FakeUpstream upstream = FakeUpstream.start()) {
      upstream.always(FakeUpstream.openAiChat("gpt-up", "from node b", 3, 3));
      try (TestServer dispatchNode = TestServer.start(node(cluster, "node-b", collector.endpoint(), upstream,
          "dispatch", "metrics"));
           TestServer httpNode = TestServer.start(node(cluster, "node-a", collector.endpoint(), upstream,
               "http", "prompt"))) {
        String traceId = TracingTest.newTraceId();
        HttpResponse<Buffer> response = TracingTest.post(httpNode.webClient(vertx), traceId,
            TracingTest.chat("up", "across the cluster"));
        assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);

        List<ReceivedSpan> spans = TracingTest.awaitTrace(collector, traceId, "dispatch up", 1);
        ReceivedSpan http = spans.stream().filter(span -> span.kind().equals("SPAN_KIND_SERVER")
            && span.name().equals("POST /v1/chat/completions")).findFirst().orElseThrow();
        assertThat(http.service()).isEqualTo("node-a");
        ReceivedSpan dispatch = TracingTest.one(spans, "dispatch up");
        assertThat(dispatch.service()).isEqualTo("node-b");
        ReceivedSpan attempt = TracingTest.one(spans, "chat gpt-up");
        assertThat(attempt.service()).isEqualTo("node-b");
        assertThat(TracingTest.descends(spans, attempt, http)).isTrue();
        // The bus hop's consumer span on node B is the child of node A's sender span.
        ReceivedSpan received = TracingTest.byId(spans, dispatch.parentSpanId());
        assertThat(received.service()).isEqualTo("node-b");
        assertThat(TracingTest.byId(spans, received.parentSpanId()).service()).isEqualTo("node-a");
        assertThat(upstream.received().get(0).headers().get("traceparent")).startsWith("00-" + traceId + "-");
      }
    }
  }
}
