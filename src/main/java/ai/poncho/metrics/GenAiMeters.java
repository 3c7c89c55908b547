package ai.poncho.metrics;

import ai.poncho.bus.CompletionEvent;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The OpenTelemetry GenAI semantic-convention metrics, with the conventions' names, attributes and
 * advised bucket boundaries: {@code gen_ai.client.token.usage} (tokens per call by
 * {@code gen_ai.token.type}: input, output), {@code gen_ai.client.operation.duration} (seconds, with
 * {@code error.type} for calls that failed) and {@code gen_ai.server.time_to_first_token} (seconds, streams
 * that produced a chunk). The gateway is the client of the upstream providers and the server of its own
 * clients. Attributes: {@code gen_ai.operation.name} (chat, embeddings), {@code gen_ai.provider.name} and
 * its older name {@code gen_ai.system} (the provider id: openai, anthropic, deepseek, ...),
 * {@code gen_ai.request.model} (the configured model the client asked for) and {@code gen_ai.response.model}
 * (the configured model that answered, after fallbacks). Response-cache hits called no model: they count
 * only for time to first token; requests refused as invalid are not counted.
 */
final class GenAiMeters {

  private static final double[] TOKEN_BUCKETS = {1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576,
      4194304, 16777216, 67108864};
  private static final Duration[] DURATION_BUCKETS = seconds(0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56,
      5.12, 10.24, 20.48, 40.96, 81.92);
  private static final Duration[] TTFT_BUCKETS = seconds(0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25,
      0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0);

  private final MeterRegistry registry;
  private final Map<Attributes, CallMeters> meters = new HashMap<>();
  private final Map<Failure, Timer> failed = new HashMap<>();

  private record Attributes(String operation, String provider, String requestModel, String responseModel) {
    Tags tags() {
      return Tags.of("gen_ai.operation.name", operation, "gen_ai.provider.name", provider, "gen_ai.system", provider,
          "gen_ai.request.model", requestModel, "gen_ai.response.model", responseModel);
    }
  }

  private record Failure(Attributes attributes, String errorType) {
  }

  private record CallMeters(DistributionSummary input, DistributionSummary output, Timer duration, Timer firstToken) {
  }

  GenAiMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Records one call of a configured model; {@code outcome} is a fixed outcome name. */
  void record(CompletionEvent event, String provider, String requestModel, String responseModel, String outcome) {
    Attributes attributes = new Attributes(CompletionEvent.EMBEDDINGS.equals(event.operation())
        ? CompletionEvent.EMBEDDINGS : CompletionEvent.CHAT, provider, requestModel, responseModel);
    CallMeters m = meters.computeIfAbsent(attributes, this::create);
    if (event.firstTokenNanos() > 0) {
      m.firstToken().record(event.firstTokenNanos(), TimeUnit.NANOSECONDS);
    }
    // A cache hit called no model; a request refused as invalid never became a model call.
    if (event.cacheHit() || CompletionEvent.Outcome.INVALID_REQUEST.equals(outcome)) {
      return;
    }
    if (CompletionEvent.Outcome.SUCCESS.equals(outcome)) {
      m.duration().record(event.durationNanos(), TimeUnit.NANOSECONDS);
    } else {
      failed.computeIfAbsent(new Failure(attributes, outcome), this::failure)
          .record(event.durationNanos(), TimeUnit.NANOSECONDS);
    }
    if (event.promptTokens() + event.completionTokens() > 0) {
      m.input().record(event.promptTokens());
      if (attributes.operation().equals(CompletionEvent.CHAT)) {
        m.output().record(event.completionTokens());
      }
    }
  }

  private CallMeters create(Attributes attributes) {
    return new CallMeters(tokens(attributes, "input"), tokens(attributes, "output"), duration(attributes, ""),
        Timer.builder("gen_ai.server.time_to_first_token")
            .description("Time to generate the first token, from the call's arrival at dispatch")
            .tags(attributes.tags()).serviceLevelObjectives(TTFT_BUCKETS).register(registry));
  }

  private Timer failure(Failure failure) {
    return duration(failure.attributes(), failure.errorType());
  }

  /** {@code error.type} is empty on success: Prometheus treats an empty label as absent, as the convention wants. */
  private Timer duration(Attributes attributes, String errorType) {
    return Timer.builder("gen_ai.client.operation.duration").description("GenAI operation duration")
        .tags(attributes.tags()).tag("error.type", errorType).serviceLevelObjectives(DURATION_BUCKETS)
        .register(registry);
  }

  private DistributionSummary tokens(Attributes attributes, String type) {
    return DistributionSummary.builder("gen_ai.client.token.usage").description("Number of input and output tokens used")
        .tags(attributes.tags()).tag("gen_ai.token.type", type).serviceLevelObjectives(TOKEN_BUCKETS)
        .register(registry);
  }

  private static Duration[] seconds(double... values) {
    Duration[] durations = new Duration[values.length];
    for (int i = 0; i < values.length; i++) {
      durations[i] = Duration.ofNanos(Math.round(values[i] * 1e9));
    }
    return durations;
  }
}
