package ai.poncho.model;

import ai.poncho.bus.Accepted;
import ai.poncho.bus.Addresses;
import ai.poncho.bus.BusCodecs;
import ai.poncho.bus.CompletionEvent;
import ai.poncho.bus.DispatchRequest;
import ai.poncho.bus.EmbeddingDispatch;
import ai.poncho.bus.Replies;
import ai.poncho.bus.StreamOpen;
import ai.poncho.bus.StreamOutcome;
import ai.poncho.bus.StreamMeter;
import ai.poncho.bus.StreamPump;
import ai.poncho.bus.GuardedCall;
import ai.poncho.bus.StreamStarted;
import ai.poncho.cache.CacheControl;
import ai.poncho.cache.CachePlan;
import ai.poncho.cache.CachedAnswer;
import ai.poncho.cache.RecordingStream;
import ai.poncho.cache.ReplayStream;
import ai.poncho.cache.ResponseCache;
import ai.poncho.chat.ChatRequest;
import ai.poncho.chat.ChatResponse;
import ai.poncho.chat.ChatStream;
import ai.poncho.chat.FinishReason;
import ai.poncho.chat.Ids;
import ai.poncho.chat.Usage;
import ai.poncho.cluster.NodeWatch;
import ai.poncho.config.ModelConfig;
import ai.poncho.config.PonchoConfig;
import ai.poncho.embedding.EmbeddingResponse;
import ai.poncho.error.ErrorKind;
import ai.poncho.error.GatewayError;
import ai.poncho.logging.RequestLog;
import ai.poncho.metrics.Meters;
import ai.poncho.provider.ProviderCall;
import ai.poncho.provider.Providers;
import ai.poncho.cost.Money;
import ai.poncho.limits.Stores;
import ai.poncho.security.Caller;
import ai.poncho.tracing.GenAiSpans;
import ai.poncho.tracing.Tracing;
import ai.poncho.usage.Metering;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Model dispatch: runs each request through {@link Failover} (resolve, admit, balance, retry, fall
 * back) on the models' providers; streams are pumped back over the bus with flow control. The reply
 * names the model that served the request. Publishes a {@link CompletionEvent} for every call.
 *
 * <p>The {@link ResponseCache} sits in front of the upstream call: a hit is answered from it (streams get
 * the answer replayed through the same pump), a miss runs the call and stores the answer once it is
 * complete; replies say which in {@link Addresses#CACHE_HEADER} or {@link StreamStarted#cache()}.
 */
public final class DispatchVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(DispatchVerticle.class);
  private static final int MAX_EARLY_CANCELS = 1024;

  private PonchoConfig config;
  private ModelRegistry registry;
  private Providers providers;
  private Failover failover;
  private ResponseCache cache;
  private EventBus bus;
  private String node;
  private Stores stores;
  private Metering metering;
  private Tracing tracing;
  private final Set<StreamPump> active = new HashSet<>();
  /** Non-streamed calls and opening streams on this instance, by call or stream id. */
  private final Map<String, Running> calls = new HashMap<>();
  /** The consumers that take new work; a draining instance unregisters them first. */
  private final List<MessageConsumer<?>> intake = new ArrayList<>();
  private boolean draining;
  private Promise<Void> drained;
  /**
   * Cancels that arrived before their call (the client left while, e.g., its prompt was rendering);
   * bounded, since every instance hears every cancel.
   */
  private final Map<String, Boolean> cancelledEarly = new LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > MAX_EARLY_CANCELS;
    }
  };

  /** The configuration given at construction; null: the deployment's {@code config()}. */
  private final JsonObject given;

  public DispatchVerticle() {
    this(null);
  }

  /**
   * Takes the configuration directly instead of from the deployment options: Vert.x 5's HTTP client
   * builds a context per upstream request, and each one copies its deployment's options, configuration
   * included (1.4 % of a proxied call's CPU with a two-model configuration, more with a larger one).
   */
  public static DispatchVerticle of(JsonObject config) {
    return new DispatchVerticle(config);
  }

  private DispatchVerticle(JsonObject config) {
    this.given = config;
  }

  /** A call waiting for its upstream: the request to answer and the signal that cancels it. */
  private record Running(Message<?> message, Promise<Void> cancelled) {
  }

  @Override
  public Future<?> start() {
    config = PonchoConfig.from(given != null ? given : config());
    BusCodecs.register(vertx);
    bus = vertx.eventBus();
    node = NodeWatch.of(vertx).localNode();
    registry = new ModelRegistry(config.models());
    providers = new Providers(vertx, config, Meters.registry(config.metrics()));
    DeploymentStates states = DeploymentStates.of(vertx, Meters.registry(config.metrics()));
    states.track(config.models().values());
    tracing = Tracing.of(vertx);
    failover = new Failover(vertx, registry, providers, states, new AttemptMeters(Meters.registry(config.metrics())),
        tracing);
    cache = ResponseCache.create(vertx, config);
    stores = Stores.open(vertx, config);
    metering = new Metering(vertx, config, stores, Meters.registry(config.metrics()));
    intake.add(bus.<DispatchRequest>consumer(Addresses.DISPATCH_COMPLETE, this::complete));
    intake.add(bus.<StreamOpen>consumer(Addresses.DISPATCH_STREAM, this::stream));
    intake.add(bus.<EmbeddingDispatch>consumer(Addresses.DISPATCH_EMBED, this::embed));
    intake.add(bus.consumer(Addresses.ping("dispatch"), message -> message.reply("ok")));
    List<Future<?>> ready = new ArrayList<>();
    intake.forEach(consumer -> ready.add(consumer.completion()));
    ready.add(bus.<String>consumer(Addresses.DISPATCH_CANCEL, this::cancel).completion());
    ready.add(bus.consumer(Addresses.DISPATCH_MODELS, message -> message.reply(registry.list())).completion());
    ready.add(bus.consumer(Addresses.DISPATCH_BREAKERS, message -> message.reply(states.health(registry.models())))
        .completion());
    ready.add(bus.<JsonObject>consumer(Addresses.CACHE_PURGE, this::purge).completion());
    ready.add(bus.<JsonObject>consumer(Addresses.CACHE_PURGE_LOCAL, message -> cache.purgeLocal(
        message.body().getString("model"))).completion());
    return Future.all(ready);
  }

  /**
   * Drains: stops taking new work (its consumers leave the cluster's routing; a request that still
   * arrives is handed back, so its caller gives it to another node), lets the calls and streams in
   * flight finish within the shutdown timeout, then ends the rest with a 503 so their callers
   * (possibly on other nodes) do not wait for answers that will never come.
   */
  @Override
  public Future<?> stop() {
    draining = true;
    drained = Promise.promise();
    long timer = vertx.setTimer(Math.max(1, config.http().shutdownTimeout().toMillis()), id -> {
      GatewayError error = GatewayError.of(ErrorKind.SERVICE_UNAVAILABLE, "shutting_down", null,
          "The model dispatcher is shutting down.");
      List.copyOf(active).forEach(pump -> pump.abort(error));
      List.copyOf(calls.values()).forEach(running -> {
        running.cancelled().tryComplete();
        Replies.fail(running.message(), error.toException());
      });
      drained.tryComplete();
    });
    Future.join(intake.stream().map(MessageConsumer::unregister).toList()).onComplete(done -> checkDrained());
    return drained.future().onComplete(done -> vertx.cancelTimer(timer))
        .compose(v -> Future.join(providers.close(), cache.close()))
        .compose(v -> metering.close()).compose(v -> stores.close());
  }

  private void checkDrained() {
    if (drained != null && active.isEmpty() && calls.isEmpty()) {
      drained.tryComplete();
    }
  }

  /**
   * Takes a request: a draining instance hands it back (it has not started, so the caller may give it
   * to another node); otherwise the caller's watch learns which node runs it.
   */
  private boolean take(Message<?> message, String watchAddress, String id) {
    if (draining) {
      GatewayError handBack = GuardedCall.handBack("The model dispatcher is shutting down.");
      message.fail(handBack.status(), handBack.toJson().encode());
      return false;
    }
    Accepted.send(bus, watchAddress, id, node);
    return true;
  }

  private void complete(Message<DispatchRequest> message) {
    long start = System.nanoTime();
    DispatchRequest dispatch = message.body();
    RequestLog.enter(dispatch.requestId(), dispatch.caller().keyId(), dispatch.request().model());
    if (!take(message, dispatch.watchAddress(), dispatch.callId())) {
      return;
    }
    trace(GenAiSpans.CHAT, dispatch.request().model(), dispatch.requestId(), dispatch.caller());
    if (cancelledEarly.remove(dispatch.callId()) != null) {
      fail(message, dispatch.requestId(), dispatch.caller(), dispatch.request().model(), false, start,
          ProviderCall.CANCELLED.toException());
      return;
    }
    CachePlan plan;
    try {
      plan = plan(dispatch.request(), dispatch.caller(), dispatch.cache());
    } catch (RuntimeException e) {
      fail(message, dispatch.requestId(), dispatch.caller(), dispatch.request().model(), false, start, e);
      return;
    }
    Promise<Void> cancelled = Promise.promise();
    lookUp(message, dispatch.requestId(), dispatch.callId(), dispatch.caller(), dispatch.request().model(),
        CompletionEvent.CHAT, plan, cancelled, start, answer -> answerFromCache(message, dispatch, plan, answer, start),
        () -> completeUpstream(message, dispatch, plan, cancelled, start));
  }

  /**
   * Starts the call's dispatch span under the bus hop's and makes it current on this message's context
   * (its own duplicate, dropped with the call, so the scope needs no closing).
   */
  private void trace(String operation, String model, String requestId, Caller caller) {
    if (tracing.on()) {
      Tracing.activateDispatch(GenAiSpans.dispatch(tracing, operation, model, requestId, caller.keyId()));
    }
  }

  /**
   * Runs a non-streamed call (registered under {@code callId} until it ends) past the cache: {@code hit}
   * with the cached answer, {@code miss} to go upstream, or a 499 when its client left during the lookup.
   */
  private void lookUp(Message<?> message, String requestId, String callId, Caller caller, String model,
                      String operation, CachePlan plan, Promise<Void> cancelled, long start,
                      Consumer<CachedAnswer> hit, Runnable miss) {
    calls.put(callId, new Running(message, cancelled));
    cache.lookup(plan, cancelled.future()).onComplete(found -> {
      if (found.failed() || cancelled.future().isComplete()) {
        calls.remove(callId);
        checkDrained();
        cache.abandoned(plan);
        fail(message, requestId, caller, model, false, start, ProviderCall.CANCELLED.toException(), plan.status(),
            operation);
      } else if (found.result() != null) {
        calls.remove(callId);
        checkDrained();
        hit.accept(found.result());
      } else {
        miss.run();
      }
    });
  }

  private void completeUpstream(Message<DispatchRequest> message, DispatchRequest dispatch, CachePlan plan,
                                Promise<Void> cancelled, long start) {
    Future<Served<ChatResponse>> served;
    try {
      served = failover.complete(dispatch.requestId(), dispatch.request(), cancelled.future());
    } catch (RuntimeException e) {
      calls.remove(dispatch.callId());
      checkDrained();
      cache.abandoned(plan);
      fail(message, dispatch.requestId(), dispatch.caller(), dispatch.request().model(), false, start, e,
          plan.status());
      return;
    }
    served.onComplete(result -> {
      calls.remove(dispatch.callId());
      checkDrained();
      if (result.failed()) {
        cache.abandoned(plan);
        fail(message, dispatch.requestId(), dispatch.caller(), dispatch.request().model(), false, start,
            result.cause(), plan.status());
        return;
      }
      Served<ChatResponse> done = result.result();
      ChatResponse response = done.result().withModel(done.model());
      Usage usage = response.usage();
      long cost = metering.cost(done.model(), done.deployment().model(), usage);
      CompletionEvent event = new CompletionEvent(done.model(), provider(done), 200, false,
          System.nanoTime() - start, 0, usage == null ? 0 : usage.promptTokens(),
          usage == null ? 0 : usage.completionTokens(), response.finishReason(), dispatch.requestId(),
          dispatch.caller().keyId(), dispatch.caller().team(), CompletionEvent.Outcome.SUCCESS,
          usage == null ? 0 : usage.cachedTokens(), cost, System.currentTimeMillis()).withCache(plan.status())
          .withRequest(CompletionEvent.CHAT, dispatch.request().model());
      GenAiSpans.completed(done.span(), done.result(), tracing.captureContent());
      GenAiSpans.endDispatch(done.model(), null, plan.status());
      // Stored before the reply, so a client that asks again as soon as it has the answer finds it.
      cache.completed(plan, done.model(), response);
      // Counted before the answer goes out, so that the caller's next call is checked against this one.
      metering.settle(dispatch.caller(), dispatch.request().model(), usage, cost).onComplete(settled -> {
        message.reply(response, cacheHeader(plan.status()).addHeader(Addresses.COST_HEADER, Money.format(cost))
            .addHeader(Addresses.UPSTREAM_HEADER, Long.toString(done.upstreamNanos())));
        publish(event);
      });
    });
  }

  private void answerFromCache(Message<DispatchRequest> message, DispatchRequest dispatch, CachePlan plan,
                               CachedAnswer answer, long start) {
    ChatResponse response = answer.toResponse(Ids.completionId(), System.currentTimeMillis() / 1000);
    GenAiSpans.endDispatch(response.model(), null, plan.status());
    // A hit costs nothing and is not settled against token limits or budgets.
    message.reply(response, cacheHeader(plan.status()).addHeader(Addresses.COST_HEADER, Money.format(0))
        .addHeader(Addresses.UPSTREAM_HEADER, "0"));
    Usage usage = response.usage();
    publish(new CompletionEvent(response.model(), registry.providerOf(response.model()), 200, false,
        System.nanoTime() - start, 0, usage == null ? 0 : usage.promptTokens(),
        usage == null ? 0 : usage.completionTokens(), response.finishReason(), dispatch.requestId(),
        dispatch.caller().keyId(), dispatch.caller().team()).withCache(plan.status())
        .withRequest(CompletionEvent.CHAT, dispatch.request().model()));
  }

  /** The cache's plan for a call: the model resolved and the request admitted as the upstream will get it. */
  private CachePlan plan(ChatRequest request, Caller caller, CacheControl control) {
    if (!cache.active()) {
      return ResponseCache.off();
    }
    ModelConfig model = registry.resolve(request.model());
    return cache.plan(model, registry.admit(model, request), caller, control);
  }

  private static DeliveryOptions cacheHeader(String status) {
    return new DeliveryOptions().addHeader(Addresses.CACHE_HEADER, status);
  }

  /** Purges the backend this instance uses; every node drops its in-memory entries too. */
  private void purge(Message<JsonObject> message) {
    String model = message.body() == null ? null : message.body().getString("model");
    cache.purge(model).onComplete(done -> {
      bus.publish(Addresses.CACHE_PURGE_LOCAL, new JsonObject().put("model", model));
      if (done.succeeded()) {
        message.reply(new JsonObject().put("deleted", done.result()));
      } else {
        LOG.warn("Purging the response cache failed: {}", done.cause().getMessage());
        Replies.fail(message, GatewayError.of(ErrorKind.SERVICE_UNAVAILABLE, "cache_unavailable", null,
            "The response cache could not be purged: its backend did not answer.").toException());
      }
    });
  }

  private void embed(Message<EmbeddingDispatch> message) {
    long start = System.nanoTime();
    EmbeddingDispatch dispatch = message.body();
    RequestLog.enter(dispatch.requestId(), dispatch.caller().keyId(), dispatch.request().model());
    if (!take(message, dispatch.watchAddress(), dispatch.callId())) {
      return;
    }
    String model = dispatch.request().model();
    trace(GenAiSpans.EMBEDDINGS, model, dispatch.requestId(), dispatch.caller());
    if (cancelledEarly.remove(dispatch.callId()) != null) {
      fail(message, dispatch.requestId(), dispatch.caller(), model, false, start,
          ProviderCall.CANCELLED.toException(), null, CompletionEvent.EMBEDDINGS);
      return;
    }
    CachePlan plan;
    try {
      plan = cache.active() ? cache.plan(registry.resolve(model), dispatch.request(), dispatch.caller(),
          dispatch.cache()) : ResponseCache.off();
    } catch (RuntimeException e) {
      fail(message, dispatch.requestId(), dispatch.caller(), model, false, start, e, null,
          CompletionEvent.EMBEDDINGS);
      return;
    }
    Promise<Void> cancelled = Promise.promise();
    lookUp(message, dispatch.requestId(), dispatch.callId(), dispatch.caller(), model, CompletionEvent.EMBEDDINGS,
        plan, cancelled, start,
        answer -> embeddingFromCache(message, dispatch, plan, answer, start),
        () -> embedUpstream(message, dispatch, plan, cancelled, start));
  }

  private void embedUpstream(Message<EmbeddingDispatch> message, EmbeddingDispatch dispatch, CachePlan plan,
                             Promise<Void> cancelled, long start) {
    String model = dispatch.request().model();
    Future<Served<EmbeddingResponse>> served;
    try {
      served = failover.embed(dispatch.requestId(), dispatch.request(), cancelled.future());
    } catch (RuntimeException e) {
      calls.remove(dispatch.callId());
      checkDrained();
      cache.abandoned(plan);
      fail(message, dispatch.requestId(), dispatch.caller(), model, false, start, e, plan.status(),
          CompletionEvent.EMBEDDINGS);
      return;
    }
    served.onComplete(result -> {
      calls.remove(dispatch.callId());
      checkDrained();
      if (result.failed()) {
        cache.abandoned(plan);
        fail(message, dispatch.requestId(), dispatch.caller(), model, false, start, result.cause(), plan.status(),
            CompletionEvent.EMBEDDINGS);
        return;
      }
      Served<EmbeddingResponse> done = result.result();
      EmbeddingResponse response = done.result().withModel(done.model());
      Usage usage = Usage.of(response.promptTokens(), 0);
      long cost = metering.cost(done.model(), done.deployment().model(), usage);
      CompletionEvent event = new CompletionEvent(done.model(), provider(done), 200, false, System.nanoTime() - start,
          0, response.promptTokens(), 0, null, dispatch.requestId(), dispatch.caller().keyId(),
          dispatch.caller().team(), CompletionEvent.Outcome.SUCCESS, 0, cost, System.currentTimeMillis())
          .withCache(plan.status()).withRequest(CompletionEvent.EMBEDDINGS, model);
      GenAiSpans.embedded(done.span(), response.promptTokens());
      GenAiSpans.endDispatch(done.model(), null, plan.status());
      // Vectors from a fallback model are handed to waiting calls but not stored for the requested one.
      cache.completed(plan, CachedAnswer.of(response, cache.expiresAt(plan)));
      metering.settle(dispatch.caller(), model, usage, cost).onComplete(settled -> {
        message.reply(response, cacheHeader(plan.status()).addHeader(Addresses.COST_HEADER, Money.format(cost))
            .addHeader(Addresses.UPSTREAM_HEADER, Long.toString(done.upstreamNanos())));
        publish(event);
      });
    });
  }

  private void embeddingFromCache(Message<EmbeddingDispatch> message, EmbeddingDispatch dispatch, CachePlan plan,
                                  CachedAnswer answer, long start) {
    EmbeddingResponse response = answer.embedding();
    GenAiSpans.endDispatch(response.model(), null, plan.status());
    // A hit costs nothing and is not settled against token limits or budgets.
    message.reply(response, cacheHeader(plan.status()).addHeader(Addresses.COST_HEADER, Money.format(0))
        .addHeader(Addresses.UPSTREAM_HEADER, "0"));
    publish(new CompletionEvent(response.model(), registry.providerOf(response.model()), 200, false,
        System.nanoTime() - start, 0, response.promptTokens(), 0, null, dispatch.requestId(),
        dispatch.caller().keyId(), dispatch.caller().team()).withCache(plan.status())
        .withRequest(CompletionEvent.EMBEDDINGS, dispatch.request().model()));
  }

  /** Published to every dispatch instance; only the one running the call has it. */
  private void cancel(Message<String> message) {
    Running running = calls.remove(message.body());
    if (running != null) {
      running.cancelled().tryComplete();
      checkDrained();
    } else {
      cancelledEarly.put(message.body(), Boolean.TRUE);
    }
  }

  private void stream(Message<StreamOpen> message) {
    long start = System.nanoTime();
    StreamOpen open = message.body();
    RequestLog.enter(open.requestId(), open.caller().keyId(), open.request().model());
    if (!take(message, open.watchAddress(), open.streamId())) {
      return;
    }
    trace(GenAiSpans.CHAT, open.request().model(), open.requestId(), open.caller());
    if (cancelledEarly.remove(open.streamId()) != null) {
      fail(message, open.requestId(), open.caller(), open.request().model(), true, start,
          ProviderCall.CANCELLED.toException());
      return;
    }
    CachePlan plan;
    try {
      plan = plan(open.request(), open.caller(), open.cache());
    } catch (RuntimeException e) {
      fail(message, open.requestId(), open.caller(), open.request().model(), true, start, e);
      return;
    }
    Promise<Void> cancelled = Promise.promise();
    // Until it opens, the stream is cancelled like a non-streamed call: by id, on the cancel address.
    calls.put(open.streamId(), new Running(message, cancelled));
    cache.lookup(plan, cancelled.future()).onComplete(found -> {
      if (found.failed() || cancelled.future().isComplete()) {
        calls.remove(open.streamId());
        checkDrained();
        cache.abandoned(plan);
        fail(message, open.requestId(), open.caller(), open.request().model(), true, start,
            ProviderCall.CANCELLED.toException(), plan.status());
      } else if (found.result() != null) {
        replay(message, open, plan, found.result(), start);
      } else {
        streamUpstream(message, open, plan, cancelled, start);
      }
    });
  }

  private void streamUpstream(Message<StreamOpen> message, StreamOpen open, CachePlan plan, Promise<Void> cancelled,
                              long start) {
    Future<Served<ChatStream>> served;
    try {
      served = failover.stream(open.requestId(), open.request(), cancelled.future());
    } catch (RuntimeException e) {
      calls.remove(open.streamId());
      checkDrained();
      cache.abandoned(plan);
      fail(message, open.requestId(), open.caller(), open.request().model(), true, start, e, plan.status());
      return;
    }
    served.onComplete(result -> {
      if (result.failed()) {
        calls.remove(open.streamId());
        checkDrained();
        cache.abandoned(plan);
        fail(message, open.requestId(), open.caller(), open.request().model(), true, start, result.cause(),
            plan.status());
        return;
      }
      Served<ChatStream> done = result.result();
      Span dispatchSpan = Tracing.dispatchSpan();
      RecordingStream recording = plan.wantsAnswer()
          ? new RecordingStream(done.result(), cache.maxEntryChars()) : null;
      long pumpStart = System.nanoTime();
      StreamPump.create(vertx, recording != null ? recording : done.result(), open, done.model(),
              config.dispatch().streamStallTimeout(),
              metering.streamMeter(done.model(), done.deployment().model(), open.request(), open.caller(),
                  open.request().model()))
          .onComplete(pumped -> {
            calls.remove(open.streamId());
            if (pumped.failed()) {
              GenAiSpans.attemptFailed(done.span(), pumped.cause());
              done.result().cancel();
              done.done();
              cache.abandoned(plan);
              fail(message, open.requestId(), open.caller(), done.model(), true, start, pumped.cause(),
                  plan.status());
              checkDrained();
              return;
            }
            StreamPump pump = pumped.result();
            active.add(pump);
            message.reply(pump.started().withNode(node).withCache(plan.status()).withUpstream(done.upstreamNanos()));
            pump.run();
            pump.outcome().onSuccess(outcome -> {
              active.remove(pump);
              checkDrained();
              done.done();
              GenAiSpans.streamed(done.span(), outcome, firstChunkNanos(outcome, start, pumpStart), start);
              GenAiSpans.endStream(dispatchSpan, done.model(), outcome, plan.status());
              if (recording != null && completedWell(outcome)) {
                cache.completed(plan, recording.answer(done.model(), cache.expiresAt(plan)));
              } else {
                cache.abandoned(plan);
              }
              publish(streamEvent(open, done.model(), provider(done), outcome, start, pumpStart, plan.status(),
                  metering.cost(done.model(), done.deployment().model(), outcome.usage())));
            });
          });
    });
  }

  /** Only a stream that reached its end with a finish reason is a whole answer; cancelled or failed ones are not. */
  private static boolean completedWell(StreamOutcome outcome) {
    return outcome.error() == null && !outcome.cancelled() && outcome.finishReason() != null
        && !FinishReason.CANCELLED.equals(outcome.finishReason());
  }

  /** A cached answer played back as a stream, through the same flow-controlled pump as a live one. */
  private void replay(Message<StreamOpen> message, StreamOpen open, CachePlan plan, CachedAnswer answer, long start) {
    ReplayStream replay = new ReplayStream(vertx.getOrCreateContext(),
        answer.toChunks(Ids.completionId(), System.currentTimeMillis() / 1000));
    long pumpStart = System.nanoTime();
    Span dispatchSpan = Tracing.dispatchSpan();
    StreamPump.create(vertx, replay, open, answer.model(), config.dispatch().streamStallTimeout(),
            StreamMeter.FREE)
        .onComplete(pumped -> {
          calls.remove(open.streamId());
          if (pumped.failed()) {
            fail(message, open.requestId(), open.caller(), answer.model(), true, start, pumped.cause(),
                plan.status());
            checkDrained();
            return;
          }
          StreamPump pump = pumped.result();
          active.add(pump);
          message.reply(pump.started().withNode(node).withCache(plan.status()));
          pump.run();
          pump.outcome().onSuccess(outcome -> {
            active.remove(pump);
            checkDrained();
            GenAiSpans.endStream(dispatchSpan, answer.model(), outcome, plan.status());
            publish(streamEvent(open, answer.model(), registry.providerOf(answer.model()), outcome, start, pumpStart,
                plan.status(), 0));
          });
        });
  }

  private static String provider(Served<?> served) {
    return served.deployment().model().provider().id();
  }

  /** The time to the stream's first chunk from the call's arrival, 0 when none came. */
  private static long firstChunkNanos(StreamOutcome outcome, long start, long pumpStart) {
    return outcome.firstChunkNanos() > 0 ? pumpStart - start + outcome.firstChunkNanos() : 0;
  }

  /** {@code pumpStart}: when the pump, which times its first chunk, was created ({@code start}: the call's arrival). */
  private static CompletionEvent streamEvent(StreamOpen open, String model, String provider, StreamOutcome outcome,
                                             long start, long pumpStart, String cacheStatus, long costPico) {
    // The client got 200 on the status line before the first chunk; a failure later shows in the outcome.
    int status = outcome.cancelled() ? 499 : 200;
    String result = outcome.error() != null ? CompletionEvent.Outcome.of(outcome.error())
        : outcome.cancelled() ? CompletionEvent.Outcome.CANCELLED : CompletionEvent.Outcome.SUCCESS;
    Usage usage = outcome.usage();
    return new CompletionEvent(model, provider, status, true, System.nanoTime() - start,
        firstChunkNanos(outcome, start, pumpStart),
        usage == null ? 0 : usage.promptTokens(),
        usage == null ? 0 : usage.completionTokens(), outcome.finishReason(), open.requestId(),
        open.caller().keyId(), open.caller().team(), result, usage == null ? 0 : usage.cachedTokens(),
        costPico, System.currentTimeMillis()).withCache(cacheStatus)
        .withRequest(CompletionEvent.CHAT, open.request().model());
  }

  private void fail(Message<?> message, String requestId, Caller caller, String modelName, boolean stream,
                    long start, Throwable failure) {
    fail(message, requestId, caller, modelName, stream, start, failure, null);
  }

  private void fail(Message<?> message, String requestId, Caller caller, String modelName, boolean stream,
                    long start, Throwable failure, String cacheStatus) {
    fail(message, requestId, caller, modelName, stream, start, failure, cacheStatus, CompletionEvent.CHAT);
  }

  private void fail(Message<?> message, String requestId, Caller caller, String modelName, boolean stream,
                    long start, Throwable failure, String cacheStatus, String operation) {
    GenAiSpans.endDispatch(null, failure, cacheStatus);
    GatewayError error = Replies.fail(message, failure);
    if (error.status() >= 500) {
      LOG.warn("{} model call failed: model={} status={} message={}", requestId, modelName, error.status(),
          error.message());
    }
    publish(new CompletionEvent(modelName, registry.providerOf(modelName), error.status(), stream,
        System.nanoTime() - start, 0, 0, 0, null, requestId, caller.keyId(), caller.team()).withCache(cacheStatus)
        .withRequest(operation, modelName));
  }

  /** Records the call's usage and tells the metrics verticles about it. */
  private void publish(CompletionEvent event) {
    metering.record(event);
    bus.publish(Addresses.METRICS_COMPLETION, event, Tracing.UNTRACED);
  }
}
