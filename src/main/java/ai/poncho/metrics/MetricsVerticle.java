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
import java.util.HashMap;
import java.util.Map;
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

  /** The label of every model name that is not configured: clients cannot add series by inventing names. */
  public static final String UNKNOWN_MODEL = "unknown";

  private final Map<MeterKey, ModelMeters> meters = new HashMap<>();
  private MeterRegistry registry;
  private Map<String, String> providers;

  /** Meters are looked up once per label set: building and registering them per event is costly. */
  private record MeterKey(String model, String provider, int status, boolean stream, String outcome) {
  }

  private record ModelMeters(Counter requests, Timer duration, Timer firstToken, Counter promptTokens,
                             Counter completionTokens) {
  }

  @Override
  public Future<?> start() {
    PonchoConfig config = PonchoConfig.from(config());
    BusCodecs.register(vertx);
    registry = Meters.registry(config.metrics());
    providers = new HashMap<>();
    config.models().forEach((name, model) -> providers.put(name, model.provider().id()));
    return Future.all(
        vertx.eventBus().<CompletionEvent>consumer(Addresses.METRICS_COMPLETION, this::record).completion(),
        vertx.eventBus().consumer(Addresses.ping("metrics"), message -> message.reply("ok")).completion());
  }

  private void record(Message<CompletionEvent> message) {
    CompletionEvent event = message.body();
    // Every label value comes from a bounded set: configured names, HTTP status, fixed outcome names.
    String provider = providers.get(event.model());
    String model = provider == null ? UNKNOWN_MODEL : event.model();
    int status = event.status() >= 100 && event.status() <= 599 ? event.status() : 500;
    String outcome = CompletionEvent.Outcome.ALL.contains(event.outcome()) ? event.outcome() : CompletionEvent.Outcome.ofStatus(status);
    ModelMeters m = meters.computeIfAbsent(new MeterKey(model, provider == null ? "none" : provider, status,
        event.stream(), outcome), this::create);
    m.requests().increment();
    m.duration().record(event.durationNanos(), TimeUnit.NANOSECONDS);
    if (event.firstTokenNanos() > 0) {
      m.firstToken().record(event.firstTokenNanos(), TimeUnit.NANOSECONDS);
    }
    if (event.promptTokens() > 0) {
      m.promptTokens().increment(event.promptTokens());
    }
    if (event.completionTokens() > 0) {
      m.completionTokens().increment(event.completionTokens());
    }
  }

  private ModelMeters create(MeterKey key) {
    String stream = Boolean.toString(key.stream());
    return new ModelMeters(
        Counter.builder("poncho.chat.requests")
            .description("Chat requests by model, provider, status and outcome, each counted once")
            .tag("model", key.model()).tag("provider", key.provider())
            .tag("status", Integer.toString(key.status())).tag("stream", stream).tag("outcome", key.outcome())
            .register(registry),
        Timer.builder("poncho.chat.duration").description("Chat completion latency through the model call")
            .tag("model", key.model()).tag("stream", stream).serviceLevelObjectives(LATENCY_BUCKETS)
            .register(registry),
        Timer.builder("poncho.chat.time.to.first.token").description("Time to the first streamed chunk")
            .tag("model", key.model()).serviceLevelObjectives(LATENCY_BUCKETS).register(registry),
        tokens(key.model(), "prompt"), tokens(key.model(), "completion"));
  }

  private Counter tokens(String model, String type) {
    return Counter.builder("poncho.chat.tokens").description("Tokens used, by model and type")
        .tag("model", model).tag("type", type).register(registry);
  }
}
