package ai.poncho.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Tracing: {@code otel.*}, off by default. When {@code enabled}, spans are exported by OTLP to
 * {@code endpoint} over {@code protocol} ({@code grpc} or {@code http/protobuf}), sampled at
 * {@code sampler_ratio} of new traces (a client's sampled flag is followed), named {@code service_name}.
 * Unset fields leave the choice to the standard {@code OTEL_*} environment variables (and their SDK
 * defaults); set ones are defaults those variables still override, as everywhere in OpenTelemetry.
 * {@code sdk} passes further SDK properties ({@code otel.bsp.schedule.delay: 200}, ...).
 * {@code capture_content} records prompt and completion text on the spans; off, only sizes and counts.
 */
public record OtelConfig(boolean enabled, String endpoint, String protocol, Double samplerRatio,
                         String serviceName, boolean captureContent, Map<String, String> sdk) {

  public static final String GRPC = "grpc";
  public static final String HTTP_PROTOBUF = "http/protobuf";

  public static OtelConfig off() {
    return new OtelConfig(false, null, null, null, "ponchoai", false, Map.of());
  }

  static OtelConfig from(ConfigReader reader) {
    String endpoint = reader.string("endpoint", null);
    if (endpoint != null && !endpoint.startsWith("http://") && !endpoint.startsWith("https://")) {
      reader.problem("endpoint", "must be an http:// or https:// URL (got '" + endpoint + "')");
    }
    Map<String, String> sdk = new LinkedHashMap<>(reader.stringMap("sdk"));
    sdk.keySet().stream().filter(key -> !key.startsWith("otel.")).forEach(key ->
        reader.problem("sdk", "names SDK properties, which start with 'otel.' (got '" + key + "')"));
    return new OtelConfig(reader.bool("enabled", false), endpoint,
        reader.oneOf("protocol", null, Set.of(GRPC, HTTP_PROTOBUF)), reader.number("sampler_ratio", 0, 1),
        reader.string("service_name", "ponchoai"), reader.bool("capture_content", false), Map.copyOf(sdk));
  }

  /**
   * The SDK autoconfigure properties this section sets: OTLP traces only (metrics and logs have their own
   * paths here), a parent-based ratio sampler when a ratio is given.
   */
  public Map<String, String> sdkProperties() {
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put("otel.traces.exporter", "otlp");
    properties.put("otel.metrics.exporter", "none");
    properties.put("otel.logs.exporter", "none");
    properties.put("otel.service.name", serviceName);
    if (endpoint != null) {
      properties.put("otel.exporter.otlp.endpoint", endpoint);
    }
    if (protocol != null) {
      properties.put("otel.exporter.otlp.protocol", protocol);
    }
    if (samplerRatio != null) {
      properties.put("otel.traces.sampler", "parentbased_traceidratio");
      properties.put("otel.traces.sampler.arg", Double.toString(samplerRatio));
    }
    properties.putAll(sdk);
    return properties;
  }
}
