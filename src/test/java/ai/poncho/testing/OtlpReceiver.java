package ai.poncho.testing;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An OTLP/HTTP trace collector in the test's JVM: decodes each {@code POST /v1/traces} protobuf body with
 * the OpenTelemetry proto classes, as Jaeger or the Collector does, and keeps the spans.
 */
public final class OtlpReceiver implements AutoCloseable {

  /** One received span; ids in lowercase hex (parent empty for a root), attribute values as strings. */
  public record ReceivedSpan(String service, String traceId, String spanId, String parentSpanId, String name,
                             String kind, Map<String, String> attributes, List<String> events,
                             Map<String, Map<String, String>> eventAttributes, boolean error) {

    public String attribute(String key) {
      return attributes.get(key);
    }
  }

  private final Vertx vertx = Vertx.vertx();
  private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();
  private final HttpServer server;

  private OtlpReceiver() {
    server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      try {
        ExportTraceServiceRequest export = ExportTraceServiceRequest.parseFrom(body.getBytes());
        export.getResourceSpansList().forEach(this::keep);
        request.response().putHeader("content-type", "application/x-protobuf")
            .end(Buffer.buffer(ExportTraceServiceResponse.getDefaultInstance().toByteArray()));
      } catch (Exception e) {
        request.response().setStatusCode(400).end();
      }
    }));
    TestServer.await(server.listen(0, "127.0.0.1"));
  }

  public static OtlpReceiver start() {
    return new OtlpReceiver();
  }

  /** The base URL an OTLP/HTTP exporter takes as {@code otel.endpoint}. */
  public String endpoint() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  public List<ReceivedSpan> spans() {
    return List.copyOf(spans);
  }

  public List<ReceivedSpan> trace(String traceId) {
    return spans.stream().filter(span -> span.traceId().equals(traceId)).toList();
  }

  private void keep(ResourceSpans resource) {
    String service = resource.getResource().getAttributesList().stream()
        .filter(kv -> kv.getKey().equals("service.name")).map(kv -> kv.getValue().getStringValue())
        .findFirst().orElse(null);
    for (ScopeSpans scope : resource.getScopeSpansList()) {
      scope.getSpansList().forEach(span -> {
        Map<String, Map<String, String>> eventAttributes = new LinkedHashMap<>();
        span.getEventsList().forEach(event -> eventAttributes.put(event.getName(), values(event.getAttributesList())));
        spans.add(new ReceivedSpan(service, hex(span.getTraceId().toByteArray()), hex(span.getSpanId().toByteArray()),
            hex(span.getParentSpanId().toByteArray()), span.getName(), span.getKind().name(),
            values(span.getAttributesList()), span.getEventsList().stream().map(e -> e.getName()).toList(),
            eventAttributes, span.getStatus().getCodeValue() == 2));
      });
    }
  }

  private static Map<String, String> values(List<KeyValue> attributes) {
    Map<String, String> values = new LinkedHashMap<>();
    attributes.forEach(kv -> values.put(kv.getKey(), text(kv.getValue())));
    return values;
  }

  private static String text(AnyValue value) {
    return switch (value.getValueCase()) {
      case STRING_VALUE -> value.getStringValue();
      case INT_VALUE -> Long.toString(value.getIntValue());
      case DOUBLE_VALUE -> Double.toString(value.getDoubleValue());
      case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
      case ARRAY_VALUE -> value.getArrayValue().getValuesList().stream().map(OtlpReceiver::text).toList().toString();
      default -> value.toString();
    };
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  @Override
  public void close() {
    TestServer.await(vertx.close());
  }
}
