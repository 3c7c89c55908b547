package ai.poncho.provider.http;

import ai.poncho.config.ModelConfig;
import ai.poncho.error.ErrorKind;
import ai.poncho.error.GatewayError;
import ai.poncho.error.GatewayException;
import ai.poncho.provider.ProviderCall;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node-wide bound on calls in flight to one upstream, shared by every dispatch verticle of a Vert.x:
 * at most {@code pool_size} over HTTP/1.1 (one call per connection), {@code pool_size} ×
 * {@link #HTTP2_STREAMS_PER_CONNECTION} over HTTP/2. A call that finds it full waits, in order, at most
 * {@code pool_wait_timeout}, then fails with 503 {@code upstream_pool_exhausted}: a full pool is reported
 * as what it is, not as a connect timeout. Waiting calls are the gauge {@code poncho_upstream_pool_pending{model}}.
 */
public final class UpstreamPool {

  /** Streams one HTTP/2 connection carries at once (the client's multiplexing limit). */
  static final int HTTP2_STREAMS_PER_CONNECTION = 100;
  static final String EXHAUSTED = "upstream_pool_exhausted";

  private static final String LOCAL_MAP = "poncho";
  private static final String KEY = "upstream.pools";

  private final ModelConfig model;
  private final int capacity;
  private final AtomicInteger pending;
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
  private int inUse;

  /** The pools of one node, by upstream, plus one pending count per public model for the gauge. */
  private static final class Registry implements Shareable {
    private final Map<String, UpstreamPool> pools = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> pendingByModel = new ConcurrentHashMap<>();
  }

  private final class Waiter {
    private final Context context;
    private final Promise<Runnable> granted;
    private final AtomicBoolean settled = new AtomicBoolean();
    private long timer = -1;

    Waiter(Context context, Promise<Runnable> granted) {
      this.context = context;
      this.granted = granted;
    }
  }

  private UpstreamPool(ModelConfig model, AtomicInteger pending) {
    this.model = model;
    this.capacity = model.connection().http2() ? model.connection().poolSize() * HTTP2_STREAMS_PER_CONNECTION
        : model.connection().poolSize();
    this.pending = pending;
  }

  /** The node's pool of {@code model}'s upstream, created on first use. */
  static UpstreamPool of(Vertx vertx, ModelConfig model, MeterRegistry meters) {
    Registry fresh = new Registry();
    Registry existing = (Registry) vertx.sharedData().getLocalMap(LOCAL_MAP).putIfAbsent(KEY, fresh);
    Registry registry = existing != null ? existing : fresh;
    return registry.pools.computeIfAbsent(key(model), k -> new UpstreamPool(model,
        registry.pendingByModel.computeIfAbsent(model.name(), name -> {
          AtomicInteger count = new AtomicInteger();
          Gauge.builder("poncho.upstream.pool.pending", count, AtomicInteger::get)
              .description("Calls waiting for a free upstream connection, by model").tag("model", name)
              .register(meters);
          return count;
        })));
  }

  /** One pool per upstream: the same endpoint, model and key, whichever verticle instance parsed it. */
  static String key(ModelConfig model) {
    return model.name() + '\u0000' + model.baseUrl() + '\u0000' + model.modelName() + '\u0000'
        + (model.apiKey() == null ? 0 : model.apiKey().hashCode()) + '\u0000' + model.connection().http2();
  }

  /**
   * A slot for one call; the future's value releases it (call it exactly once, when the call is over).
   * Fails after pool_wait_timeout, or when {@code cancelled} completes while waiting.
   */
  Future<Runnable> acquire(Vertx vertx, Future<Void> cancelled) {
    Promise<Runnable> granted = Promise.promise();
    Waiter waiter;
    synchronized (this) {
      if (inUse < capacity) {
        inUse++;
        return Future.succeededFuture(releaser());
      }
      waiter = new Waiter(vertx.getOrCreateContext(), granted);
      waiters.add(waiter);
      pending.incrementAndGet();
    }
    long waitMs = Math.max(1, model.connection().poolWaitTimeout().toMillis());
    waiter.timer = vertx.setTimer(waitMs, id -> giveUp(waiter, exhausted()));
    cancelled.onComplete(gone -> giveUp(waiter, ProviderCall.CANCELLED.toException()));
    return granted.future();
  }

  private void giveUp(Waiter waiter, Throwable failure) {
    if (waiter.settled.compareAndSet(false, true)) {
      synchronized (this) {
        waiters.remove(waiter);
      }
      pending.decrementAndGet();
      waiter.context.runOnContext(v -> waiter.granted.tryFail(failure));
    }
  }

  private Runnable releaser() {
    AtomicBoolean released = new AtomicBoolean();
    return () -> {
      if (released.compareAndSet(false, true)) {
        release();
      }
    };
  }

  /** Hands the slot to the longest waiter (on its own event loop), or frees it. */
  private void release() {
    while (true) {
      Waiter next;
      synchronized (this) {
        next = waiters.poll();
        if (next == null) {
          inUse--;
          return;
        }
      }
      if (next.settled.compareAndSet(false, true)) {
        pending.decrementAndGet();
        Runnable slot = releaser();
        next.context.runOnContext(v -> {
          next.context.owner().cancelTimer(next.timer);
          if (!next.granted.tryComplete(slot)) {
            slot.run();
          }
        });
        return;
      }
    }
  }

  private GatewayException exhausted() {
    String size = model.connection().http2()
        ? model.connection().poolSize() + " HTTP/2 connections (" + capacity + " streams)"
        : model.connection().poolSize() + " connections";
    return GatewayError.of(ErrorKind.SERVICE_UNAVAILABLE, EXHAUSTED, "model", "The upstream connection pool of model '"
        + model.name() + "' is exhausted: all " + size + " (pool_size " + model.connection().poolSize()
        + ") stayed busy for " + model.connection().poolWaitTimeout().toMillis() + " ms (pool_wait_timeout).")
        .toException();
  }

  /** Whether {@code failure} is a full pool (not retried, not counted by circuit breakers). */
  public static boolean isExhausted(Throwable failure) {
    return failure instanceof GatewayException gateway && EXHAUSTED.equals(gateway.error().code());
  }
}
