package ai.poncho.model;

import ai.poncho.bus.Addresses;
import ai.poncho.bus.BusCodecs;
import ai.poncho.bus.CompletionEvent;
import ai.poncho.bus.DispatchRequest;
import ai.poncho.bus.Replies;
import ai.poncho.bus.StreamOpen;
import ai.poncho.bus.StreamOutcome;
import ai.poncho.bus.StreamPump;
import ai.poncho.chat.ChatResponse;
import ai.poncho.chat.ChatStream;
import ai.poncho.chat.Usage;
import ai.poncho.config.PonchoConfig;
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
  private Stores stores;
  private Metering metering;
  private final Set<StreamPump> active = new HashSet<>();
  /** Non-streamed calls and opening streams on this instance, by call or stream id, with their cancel signal. */
  private final Map<String, Promise<Void>> calls = new HashMap<>();
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

  @Override
  public Future<?> start() {
    config = PonchoConfig.from(config());
    BusCodecs.register(vertx);
    bus = vertx.eventBus();
    registry = new ModelRegistry(config.models());
    providers = new Providers(vertx, config, Meters.registry(config.metrics()));
    DeploymentStates states = DeploymentStates.of(vertx, Meters.registry(config.metrics()));
    failover = new Failover(vertx, registry, providers, states);
    stores = Stores.open(vertx, config);
    metering = new Metering(vertx, config, stores, Meters.registry(config.metrics()));
    return Future.all(
        bus.<DispatchRequest>consumer(Addresses.DISPATCH_COMPLETE, this::complete).completion(),
        bus.<String>consumer(Addresses.DISPATCH_CANCEL, this::cancel).completion(),
        bus.<StreamOpen>consumer(Addresses.DISPATCH_STREAM, this::stream).completion(),
        bus.consumer(Addresses.DISPATCH_MODELS, message -> message.reply(registry.list())).completion(),
        bus.consumer(Addresses.DISPATCH_BREAKERS, message -> message.reply(states.breakerStates())).completion(),
        bus.consumer(Addresses.ping("dispatch"), message -> message.reply("ok")).completion());
  }

  /**
   * Lets streams in flight finish within the shutdown timeout, then ends the rest with a 503 error
   * event so their consumers (possibly on other nodes) do not wait for chunks that will never come.
   */
  @Override
  public Future<?> stop() {
    Promise<Void> drained = Promise.promise();
    Future.join(active.stream().map(StreamPump::outcome).toList()).onComplete(done -> drained.tryComplete());
    long timer = vertx.setTimer(Math.max(1, config.http().shutdownTimeout().toMillis()), id -> {
      GatewayError error = GatewayError.of(ErrorKind.SERVICE_UNAVAILABLE, "shutting_down", null,
          "The model dispatcher is shutting down.");
      List.copyOf(active).forEach(pump -> pump.abort(error));
      drained.tryComplete();
    });
    return drained.future().onComplete(done -> vertx.cancelTimer(timer)).compose(v -> providers.close())
        .compose(v -> metering.close()).compose(v -> stores.close());
  }

  private void complete(Message<DispatchRequest> message) {
    long start = System.nanoTime();
    DispatchRequest dispatch = message.body();
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
    calls.put(dispatch.callId(), cancelled);
    served.onComplete(result -> {
      calls.remove(dispatch.callId());
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
          dispatch.caller().keyId(), dispatch.caller().team(), usage == null ? 0 : usage.cachedTokens(), cost,
          System.currentTimeMillis());
      // Counted before the answer goes out, so that the caller's next call is checked against this one.
      metering.settle(dispatch.caller(), dispatch.request().model(), usage, cost).onComplete(settled -> {
        message.reply(response, new DeliveryOptions().addHeader(Addresses.COST_HEADER, Money.format(cost)));
        publish(event);
      });
    });
  }

  /** Published to every dispatch instance; only the one running the call has it. */
  private void cancel(Message<String> message) {
    Promise<Void> cancelled = calls.remove(message.body());
    if (cancelled != null) {
      cancelled.tryComplete();
    } else {
      cancelledEarly.put(message.body(), Boolean.TRUE);
    }
  }

  private void stream(Message<StreamOpen> message) {
    long start = System.nanoTime();
    StreamOpen open = message.body();
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
    calls.put(open.streamId(), cancelled);
    served.onComplete(result -> {
      calls.remove(open.streamId());
      if (result.failed()) {
        fail(message, open.requestId(), open.caller(), open.request().model(), true, start, result.cause());
        return;
      }
      Served<ChatStream> done = result.result();
      StreamPump.create(vertx, done.result(), open, done.model(), config.dispatch().streamStallTimeout(),
              metering.streamMeter(done.model(), done.deployment().model(), open.request(), open.caller(),
                  open.request().model()))
          .onComplete(pumped -> {
            if (pumped.failed()) {
              done.result().cancel();
              done.done();
              fail(message, open.requestId(), open.caller(), done.model(), true, start, pumped.cause());
              return;
            }
            StreamPump pump = pumped.result();
            active.add(pump);
            message.reply(pump.started());
            pump.run();
            pump.outcome().onSuccess(outcome -> {
              active.remove(pump);
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
    int status = outcome.error() != null ? outcome.error().status() : outcome.cancelled() ? 499 : 200;
    Usage usage = outcome.usage();
    return new CompletionEvent(served.model(), provider(served), status, true, System.nanoTime() - start,
        outcome.firstChunkNanos(), usage == null ? 0 : usage.promptTokens(),
        usage == null ? 0 : usage.completionTokens(), outcome.finishReason(), open.requestId(),
        open.caller().keyId(), open.caller().team(), usage == null ? 0 : usage.cachedTokens(),
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
