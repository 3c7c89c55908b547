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
import ai.poncho.bus.StreamPump;
import ai.poncho.bus.GuardedCall;
import ai.poncho.chat.ChatResponse;
import ai.poncho.chat.ChatStream;
import ai.poncho.chat.Usage;
import ai.poncho.cluster.NodeWatch;
import ai.poncho.config.PonchoConfig;
import ai.poncho.embedding.EmbeddingResponse;
import ai.poncho.error.ErrorKind;
import ai.poncho.error.GatewayError;
import ai.poncho.metrics.Meters;
import ai.poncho.provider.ProviderCall;
import ai.poncho.provider.Providers;
import ai.poncho.cost.Money;
import ai.poncho.limits.Stores;
import ai.poncho.security.Caller;
import ai.poncho.usage.Metering;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Model dispatch: runs each request through {@link Failover} (resolve, admit, balance, retry, fall
 * back) on the models' providers; streams are pumped back over the bus with flow control. The reply
 * names the model that served the request. Publishes a {@link CompletionEvent} for every call.
 */
public final class DispatchVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(DispatchVerticle.class);
  private static final int MAX_EARLY_CANCELS = 1024;

  private PonchoConfig config;
  private ModelRegistry registry;
  private Providers providers;
  private Failover failover;
  private EventBus bus;
  private String node;
  private Stores stores;
  private Metering metering;
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

  /** A call waiting for its upstream: the request to answer and the signal that cancels it. */
  private record Running(Message<?> message, Promise<Void> cancelled) {
  }

  @Override
  public Future<?> start() {
    config = PonchoConfig.from(config());
    BusCodecs.register(vertx);
    bus = vertx.eventBus();
    node = NodeWatch.of(vertx).localNode();
    registry = new ModelRegistry(config.models());
    providers = new Providers(vertx, config, Meters.registry(config.metrics()));
    DeploymentStates states = DeploymentStates.of(vertx, Meters.registry(config.metrics()));
    failover = new Failover(vertx, registry, providers, states);
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
    ready.add(bus.consumer(Addresses.DISPATCH_BREAKERS, message -> message.reply(states.breakerStates()))
        .completion());
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
    return drained.future().onComplete(done -> vertx.cancelTimer(timer)).compose(v -> providers.close())
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
    if (!take(message, dispatch.watchAddress(), dispatch.callId())) {
      return;
    }
    if (cancelledEarly.remove(dispatch.callId()) != null) {
      fail(message, dispatch.requestId(), dispatch.caller(), dispatch.request().model(), false, start,
          ProviderCall.CANCELLED.toException());
      return;
    }
    Promise<Void> cancelled = Promise.promise();
    Future<Served<ChatResponse>> served;
    try {
      served = failover.complete(dispatch.requestId(), dispatch.request(), cancelled.future());
    } catch (RuntimeException e) {
      fail(message, dispatch.requestId(), dispatch.caller(), dispatch.request().model(), false, start, e);
      return;
    }
    calls.put(dispatch.callId(), new Running(message, cancelled));
    served.onComplete(result -> {
      calls.remove(dispatch.callId());
      checkDrained();
      if (result.failed()) {
        fail(message, dispatch.requestId(), dispatch.caller(), dispatch.request().model(), false, start,
            result.cause());
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
          usage == null ? 0 : usage.cachedTokens(), cost, System.currentTimeMillis());
      // Counted before the answer goes out, so that the caller's next call is checked against this one.
      metering.settle(dispatch.caller(), dispatch.request().model(), usage, cost).onComplete(settled -> {
        message.reply(response, new DeliveryOptions().addHeader(Addresses.COST_HEADER, Money.format(cost)));
        publish(event);
      });
    });
  }

  private void embed(Message<EmbeddingDispatch> message) {
    long start = System.nanoTime();
    EmbeddingDispatch dispatch = message.body();
    String model = dispatch.request().model();
    if (cancelledEarly.remove(dispatch.callId()) != null) {
      fail(message, dispatch.requestId(), dispatch.caller(), model, false, start,
          ProviderCall.CANCELLED.toException());
      return;
    }
    Promise<Void> cancelled = Promise.promise();
    Future<Served<EmbeddingResponse>> served;
    try {
      served = failover.embed(dispatch.requestId(), dispatch.request(), cancelled.future());
    } catch (RuntimeException e) {
      fail(message, dispatch.requestId(), dispatch.caller(), model, false, start, e);
      return;
    }
    calls.put(dispatch.callId(), new Running(message, cancelled));
    served.onComplete(result -> {
      calls.remove(dispatch.callId());
      checkDrained();
      if (result.failed()) {
        fail(message, dispatch.requestId(), dispatch.caller(), model, false, start, result.cause());
        return;
      }
      Served<EmbeddingResponse> done = result.result();
      EmbeddingResponse response = done.result().withModel(done.model());
      Usage usage = Usage.of(response.promptTokens(), 0);
      long cost = metering.cost(done.model(), done.deployment().model(), usage);
      CompletionEvent event = new CompletionEvent(done.model(), provider(done), 200, false, System.nanoTime() - start,
          0, response.promptTokens(), 0, null, dispatch.requestId(), dispatch.caller().keyId(),
          dispatch.caller().team(), CompletionEvent.Outcome.SUCCESS, 0, cost, System.currentTimeMillis());
      metering.settle(dispatch.caller(), model, usage, cost).onComplete(settled -> {
        message.reply(response, new DeliveryOptions().addHeader(Addresses.COST_HEADER, Money.format(cost)));
        publish(event);
      });
    });
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
    if (!take(message, open.watchAddress(), open.streamId())) {
      return;
    }
    if (cancelledEarly.remove(open.streamId()) != null) {
      fail(message, open.requestId(), open.caller(), open.request().model(), true, start,
          ProviderCall.CANCELLED.toException());
      return;
    }
    Promise<Void> cancelled = Promise.promise();
    Future<Served<ChatStream>> served;
    try {
      served = failover.stream(open.requestId(), open.request(), cancelled.future());
    } catch (RuntimeException e) {
      fail(message, open.requestId(), open.caller(), open.request().model(), true, start, e);
      return;
    }
    // Until it opens, the stream is cancelled like a non-streamed call: by id, on the cancel address.
    calls.put(open.streamId(), new Running(message, cancelled));
    served.onComplete(result -> {
      if (result.failed()) {
        calls.remove(open.streamId());
        checkDrained();
        fail(message, open.requestId(), open.caller(), open.request().model(), true, start, result.cause());
        return;
      }
      Served<ChatStream> done = result.result();
      StreamPump.create(vertx, done.result(), open, done.model(), config.dispatch().streamStallTimeout(),
              metering.streamMeter(done.model(), done.deployment().model(), open.request(), open.caller(),
                  open.request().model()))
          .onComplete(pumped -> {
            calls.remove(open.streamId());
            if (pumped.failed()) {
              done.result().cancel();
              done.done();
              fail(message, open.requestId(), open.caller(), done.model(), true, start, pumped.cause());
              checkDrained();
              return;
            }
            StreamPump pump = pumped.result();
            active.add(pump);
            message.reply(pump.started().withNode(node));
            pump.run();
            pump.outcome().onSuccess(outcome -> {
              active.remove(pump);
              checkDrained();
              done.done();
              publish(streamEvent(open, done, outcome, start));
            });
          });
    });
  }

  private static String provider(Served<?> served) {
    return served.deployment().model().provider().id();
  }

  private CompletionEvent streamEvent(StreamOpen open, Served<ChatStream> served, StreamOutcome outcome,
                                      long start) {
    // The client got 200 on the status line before the first chunk; a failure later shows in the outcome.
    int status = outcome.cancelled() ? 499 : 200;
    String result = outcome.error() != null ? CompletionEvent.Outcome.of(outcome.error())
        : outcome.cancelled() ? CompletionEvent.Outcome.CANCELLED : CompletionEvent.Outcome.SUCCESS;
    Usage usage = outcome.usage();
    return new CompletionEvent(served.model(), provider(served), status, true, System.nanoTime() - start,
        outcome.firstChunkNanos(), usage == null ? 0 : usage.promptTokens(),
        usage == null ? 0 : usage.completionTokens(), outcome.finishReason(), open.requestId(),
        open.caller().keyId(), open.caller().team(), result, usage == null ? 0 : usage.cachedTokens(),
        metering.cost(served.model(), served.deployment().model(), usage), System.currentTimeMillis());
  }

  private void fail(Message<?> message, String requestId, Caller caller, String modelName, boolean stream,
                    long start, Throwable failure) {
    GatewayError error = Replies.fail(message, failure);
    if (error.status() >= 500) {
      LOG.warn("{} model call failed: model={} status={} message={}", requestId, modelName, error.status(),
          error.message());
    }
    publish(new CompletionEvent(modelName, registry.providerOf(modelName), error.status(), stream,
        System.nanoTime() - start, 0, 0, 0, null, requestId, caller.keyId(), caller.team()));
  }

  /** Records the call's usage and tells the metrics verticles about it. */
  private void publish(CompletionEvent event) {
    metering.record(event);
    bus.publish(Addresses.METRICS_COMPLETION, event);
  }
}
