package ai.poncho.metrics;

import ai.poncho.bus.Addresses;
import ai.poncho.bus.BusCodecs;
import ai.poncho.bus.CompletionEvent;
import ai.poncho.config.PonchoConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Turns the {@link CompletionEvent}s published by dispatch anywhere in the cluster into per-model
 * meters: requests by status, latency, time to first token and tokens.
 */
public final class MetricsVerticle extends VerticleBase {

  private static final Duration[] LATENCY_BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(25),
      Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
      Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
      Duration.ofSeconds(60)};

  private MeterRegistry registry;

  @Override
  public Future<?> start() {
    PonchoConfig config = PonchoConfig.from(config());
    BusCodecs.register(vertx);
    registry = Meters.registry(config.metrics());
    return Future.all(
        vertx.eventBus().<CompletionEvent>consumer(Addresses.METRICS_COMPLETION, this::record).completion(),
        vertx.eventBus().consumer(Addresses.ping("metrics"), message -> message.reply("ok")).completion());
  }

  private void record(Message<CompletionEvent> message) {
    CompletionEvent event = message.body();
    String stream = Boolean.toString(event.stream());
    Counter.builder("poncho.chat.requests").description("Chat completions by model, provider and status")
        .tag("model", event.model()).tag("provider", event.provider())
        .tag("status", Integer.toString(event.status())).tag("stream", stream)
        .register(registry).increment();
    Timer.builder("poncho.chat.duration").description("Chat completion latency through the model call")
        .tag("model", event.model()).tag("stream", stream).serviceLevelObjectives(LATENCY_BUCKETS)
        .register(registry).record(event.durationNanos(), TimeUnit.NANOSECONDS);
    if (event.firstTokenNanos() > 0) {
      Timer.builder("poncho.chat.time.to.first.token").description("Time to the first streamed chunk")
          .tag("model", event.model()).serviceLevelObjectives(LATENCY_BUCKETS)
          .register(registry).record(event.firstTokenNanos(), TimeUnit.NANOSECONDS);
    }
    tokens(event.model(), "prompt", event.promptTokens());
    tokens(event.model(), "completion", event.completionTokens());
  }

  private void tokens(String model, String type, int count) {
    if (count > 0) {
      Counter.builder("poncho.chat.tokens").description("Tokens used, by model and type")
          .tag("model", model).tag("type", type).register(registry).increment(count);
    }
  }
}
