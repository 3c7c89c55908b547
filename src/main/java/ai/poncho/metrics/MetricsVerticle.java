package ai.poncho.metrics;

import ai.poncho.bus.Addresses;
import ai.poncho.bus.BusCodecs;
import ai.poncho.bus.CompletionEvent;
import ai.poncho.config.PonchoConfig;
import ai.poncho.state.RedisState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * Turns the {@link CompletionEvent}s published by dispatch anywhere in the cluster into meters: per model
 * (requests by status, latency, time to first token, tokens), the OpenTelemetry GenAI ones
 * ({@link GenAiMeters}), and cost and requests per key and team with a capped number of label values.
 * With {@code state.backend: redis} it also pings Redis for {@code poncho_redis_up}.
 */
public final class MetricsVerticle extends VerticleBase {

  private static final Duration[] LATENCY_BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(25),
      Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
      Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
      Duration.ofSeconds(60)};
  /** Key ids the auth step gives: managed keys and the master key. Anything else is not a key label. */
  private static final Pattern KEY_ID = Pattern.compile("key_[0-9A-Za-z]{1,64}|master");

  /** The label of every model name that is not configured: clients cannot add series by inventing names. */
  public static final String UNKNOWN_MODEL = "unknown";

  private final Map<MeterKey, ModelMeters> meters = new HashMap<>();
  private final Map<CallerKey, Counter> keyRequests = new HashMap<>();
  private final Map<CostKey, Counter> costs = new HashMap<>();
  private MeterRegistry registry;
  private Map<String, String> providers;
  private GenAiMeters genAi;
  private LabelCap keys;
  private LabelCap teams;
  private RedisState redis;
  private long pingTimer = -1;

  /** Meters are looked up once per label set: building and registering them per event is costly. */
  private record MeterKey(String model, String provider, int status, boolean stream, String outcome) {
  }

  private record ModelMeters(Counter requests, Timer duration, Timer firstToken, Counter promptTokens,
                             Counter completionTokens) {
  }

  private record CallerKey(String key, String team, String outcome) {
  }

  private record CostKey(String model, String key, String team) {
  }

  @Override
  public Future<?> start() {
    PonchoConfig config = PonchoConfig.from(config());
    BusCodecs.register(vertx);
    registry = Meters.registry(config.metrics());
    providers = new HashMap<>();
    config.models().forEach((name, model) -> providers.put(name, model.provider().id()));
    genAi = new GenAiMeters(registry);
    keys = new LabelCap(config.metrics().keyLabelLimit());
    teams = new LabelCap(config.metrics().keyLabelLimit());
    if (config.state().redis()) {
      watchRedis(config);
    }
    return Future.all(
        vertx.eventBus().<CompletionEvent>consumer(Addresses.METRICS_COMPLETION, this::record).completion(),
        vertx.eventBus().consumer(Addresses.ping("metrics"), message -> message.reply("ok")).completion());
  }

  @Override
  public Future<?> stop() {
    if (pingTimer >= 0) {
      vertx.cancelTimer(pingTimer);
    }
    return redis == null ? Future.succeededFuture() : redis.close();
  }

  /**
   * {@code poncho_redis_up}: 1 while the last PING of the state backend answered within
   * {@code state.redis.timeout}, 0 otherwise (and until the first answer).
   */
  private void watchRedis(PonchoConfig config) {
    redis = RedisState.create(vertx, config.state());
    AtomicInteger up = new AtomicInteger();
    Gauge.builder("poncho.redis.up", up, AtomicInteger::get)
        .description("1 while the state backend's Redis answers PING within state.redis.timeout").register(registry);
    Runnable ping = () -> redis.ping().onComplete(done -> up.set(done.succeeded() ? 1 : 0));
    ping.run();
    pingTimer = vertx.setPeriodic(config.metrics().redisPingInterval().toMillis(), id -> ping.run());
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
    String key = keys.of(event.keyId() == null || KEY_ID.matcher(event.keyId()).matches() ? event.keyId()
        : LabelCap.OTHER);
    String team = teams.of(event.team());
    keyRequests.computeIfAbsent(new CallerKey(key, team, outcome), this::keyRequests).increment();
    if (provider != null) {
      String requested = providers.containsKey(event.requestedModel()) ? event.requestedModel() : model;
      genAi.record(event, provider, requested, model, outcome);
    }
    // Tokens of a cached answer were used once, when it was stored; a hit uses none.
    if (event.cacheHit()) {
      return;
    }
    if (event.promptTokens() > 0) {
      m.promptTokens().increment(event.promptTokens());
    }
    if (event.completionTokens() > 0) {
      m.completionTokens().increment(event.completionTokens());
    }
    if (event.costPico() > 0) {
      costs.computeIfAbsent(new CostKey(model, key, team), this::cost).increment(event.costPico() / 1e12);
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
        Timer.builder("poncho.chat.time.to.first.token")
            .description("Time from the call's arrival at dispatch to its first streamed chunk")
            .tag("model", key.model()).serviceLevelObjectives(LATENCY_BUCKETS).register(registry),
        tokens(key.model(), "prompt"), tokens(key.model(), "completion"));
  }

  private Counter tokens(String model, String type) {
    return Counter.builder("poncho.chat.tokens").description("Tokens used, by model and type")
        .tag("model", model).tag("type", type).register(registry);
  }

  private Counter keyRequests(CallerKey key) {
    return Counter.builder("poncho.key.requests")
        .description("Model calls by API key and team (capped label values: metrics.key_label_limit)")
        .tag("key", key.key()).tag("team", key.team()).tag("outcome", key.outcome()).register(registry);
  }

  private Counter cost(CostKey key) {
    return Counter.builder("poncho.cost").baseUnit("usd")
        .description("Cost of model calls in USD from the providers' reported usage, by model, key and team")
        .tag("model", key.model()).tag("key", key.key()).tag("team", key.team()).register(registry);
  }
}
