package ai.poncho.cache;

import ai.poncho.bus.CompletionEvent;
import ai.poncho.chat.ChatRequest;
import ai.poncho.chat.ChatResponse;
import ai.poncho.config.ModelConfig;
import ai.poncho.config.PonchoConfig;
import ai.poncho.embedding.EmbeddingRequest;
import ai.poncho.metrics.Meters;
import ai.poncho.provider.ProviderCall;
import ai.poncho.security.Caller;
import ai.poncho.state.RedisState;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exact-match response cache of the dispatch path, one per dispatch instance. The in-memory entries,
 * the coalescing of identical misses and the meters belong to the node and are shared by its instances;
 * with {@code state.backend: redis} each instance has its own connection to the shared entries.
 *
 * <p>Policy: a model's answers are cached when {@code cache.enabled} or {@code models.<name>.cache} says so,
 * and only for requests with temperature 0 or a seed unless {@code cache.any_temperature}. A backend
 * failure is never the request's failure: a read that fails is a miss, a write that fails is skipped, both
 * counted ({@code poncho_cache_errors_total}) and logged at most every {@value #WARN_INTERVAL_MS} ms; for
 * {@value #BACKOFF_MS} ms after a failure the backend is not asked at all (those calls count as failures
 * too), so a Redis that hangs delays one request by the Redis timeout, not every request.
 */
public final class ResponseCache {

  private static final Logger LOG = LoggerFactory.getLogger(ResponseCache.class);
  private static final long WARN_INTERVAL_MS = 10_000;
  /** After a backend failure, calls skip it this long: a dead Redis costs one timeout, not one per request. */
  private static final long BACKOFF_MS = 1_000;
  /** No single answer larger than this (in characters of its JSON) is stored. */
  private static final long MAX_ENTRY_CHARS = 8L * 1024 * 1024;
  private static final Map<Vertx, Node> NODES = new WeakHashMap<>();

  private final Vertx vertx;
  private final CacheConfig config;
  private final Node node;
  private final CacheStore store;
  private final String backend;
  private final long maxEntryChars;
  private long backendDownUntil;

  /** What the dispatch instances of one node share. */
  private static final class Node {
    final CacheMetrics metrics;
    final CacheClock clock;
    final Map<CacheKey, Flight> flights = new ConcurrentHashMap<>();
    final AtomicLong lastWarn = new AtomicLong();
    final AtomicLong unreported = new AtomicLong();
    MemoryCacheStore memory;

    Node(CacheMetrics metrics, CacheClock clock) {
      this.metrics = metrics;
      this.clock = clock;
    }
  }

  private ResponseCache(Vertx vertx, CacheConfig config, Node node, CacheStore store, String backend) {
    this.vertx = vertx;
    this.config = config;
    this.node = node;
    this.store = store;
    this.backend = backend;
    this.maxEntryChars = Math.min(MAX_ENTRY_CHARS, config.maxBytes());
  }

  public static ResponseCache create(Vertx vertx, PonchoConfig config) {
    CacheConfig cache = config.cache();
    Node node;
    synchronized (NODES) {
      node = NODES.computeIfAbsent(vertx, v -> new Node(new CacheMetrics(Meters.registry(config.metrics())),
          CacheClock.of(vertx)));
      if (!config.state().redis() && cache.anyEnabled() && node.memory == null) {
        node.memory = new MemoryCacheStore(cache, node.clock, node.metrics);
      }
    }
    if (!cache.anyEnabled()) {
      return new ResponseCache(vertx, cache, node, null, "none");
    }
    boolean memory = !config.state().redis();
    node.metrics.prepareErrors(memory ? "memory" : "redis");
    config.models().keySet().stream().filter(cache::enabledFor).forEach(model -> {
      node.metrics.prepare(model, memory);
      if (memory) {
        node.memory.prepare(model);
      }
    });
    if (config.state().redis()) {
      return new ResponseCache(vertx, cache, node, new RedisCacheStore(vertx, RedisState.create(vertx, config.state()),
          config.state().redisPrefix(), node.clock), "redis");
    }
    return new ResponseCache(vertx, cache, node, node.memory, "memory");
  }

  /** The plan for one call; {@code admitted} is the request as {@code model} will receive it. */
  public CachePlan plan(ModelConfig model, ChatRequest admitted, Caller caller, CacheControl control) {
    if (store == null || !config.enabledFor(model.name()) || !eligible(admitted)) {
      return CachePlan.bypass(store == null ? null : model.name());
    }
    return plan(model.name(), control,
        () -> CacheKey.of(model.name(), namespace(caller), control.prompt(), admitted));
  }

  /** The plan for an embeddings call: its vectors do not depend on sampling, so no temperature rule applies. */
  public CachePlan plan(ModelConfig model, EmbeddingRequest request, Caller caller, CacheControl control) {
    if (store == null || !config.enabledFor(model.name()) || model.type() != ModelConfig.ModelType.EMBEDDING) {
      return CachePlan.bypass(store == null ? null : model.name());
    }
    return plan(model.name(), control, () -> CacheKey.of(model.name(), namespace(caller), request));
  }

  private CachePlan plan(String model, CacheControl control, Supplier<CacheKey> key) {
    long ttl = (control.ttl() != null ? control.ttl() : config.ttl()).toMillis();
    boolean lookup = !control.noCache();
    boolean keep = !control.noStore() && ttl > 0;
    if (!lookup && !keep) {
      return CachePlan.bypass(model);
    }
    return new CachePlan(model, key.get(), lookup, keep, ttl);
  }

  /** Whether answers to calls of this kind are cached at all: with the cache off for every model, none are. */
  public boolean active() {
    return store != null;
  }

  /** A plan for calls the cache does not see (it is off for every model). */
  public static CachePlan off() {
    return CachePlan.bypass(null);
  }

  private boolean eligible(ChatRequest request) {
    return config.anyTemperature() || request.extra().getValue("seed") != null
        || request.temperature() != null && request.temperature() == 0.0;
  }

  private String namespace(Caller caller) {
    String key = caller.keyId() == null ? "anonymous" : "key:" + caller.keyId();
    return switch (config.namespace()) {
      case GLOBAL -> "global";
      case TEAM -> caller.team() == null ? key : "team:" + caller.team();
      case KEY -> key;
    };
  }

  /**
   * The cached answer, or null to call upstream. A call identical to one already running on this node waits
   * for that one's answer (and fails with 499 if its own client leaves first); {@code cancelled} is that
   * client's signal.
   */
  public Future<CachedAnswer> lookup(CachePlan plan, Future<Void> cancelled) {
    if (!plan.lookup) {
      if (plan.model != null) {
        node.metrics.bypass(plan.model);
      }
      return Future.succeededFuture();
    }
    return (backendDown() ? Future.<CachedAnswer>failedFuture(new IllegalStateException("backing off after a failure"))
        : store.get(plan.key))
        .recover(failure -> {
          failed("read", failure);
          return Future.succeededFuture();
        })
        .compose(found -> {
          if (found != null && !found.expired(node.clock.millis())) {
            return hit(plan, found);
          }
          if (!config.coalesce()) {
            return miss(plan);
          }
          Flight mine = new Flight();
          Flight running = node.flights.putIfAbsent(plan.key, mine);
          if (running == null) {
            plan.flight = mine;
            return miss(plan);
          }
          Promise<CachedAnswer> shared = Promise.promise();
          cancelled.onComplete(gone -> shared.tryFail(ProviderCall.CANCELLED.toException()));
          running.await(vertx.getOrCreateContext(), shared);
          return shared.future().compose(answer -> answer != null ? hit(plan, answer) : miss(plan));
        });
  }

  private Future<CachedAnswer> hit(CachePlan plan, CachedAnswer answer) {
    plan.status = CompletionEvent.CACHE_HIT;
    node.metrics.hit(plan.model);
    return Future.succeededFuture(answer);
  }

  private Future<CachedAnswer> miss(CachePlan plan) {
    plan.status = CompletionEvent.CACHE_MISS;
    node.metrics.miss(plan.model);
    return Future.succeededFuture();
  }

  /** A non-streamed answer arrived from {@code servedModel} (the planned model or a fallback). */
  public void completed(CachePlan plan, String servedModel, ChatResponse response) {
    if (!plan.wantsAnswer()) {
      return;
    }
    if (!plan.model.equals(servedModel) || response.choices().isEmpty() || response.finishReason() == null) {
      abandoned(plan);
      return;
    }
    completed(plan, CachedAnswer.of(response, node.clock.millis() + plan.ttlMillis));
  }

  /**
   * A complete answer for the plan (null: none to keep): stored unless the request said no-store or a
   * fallback served it, and handed to the calls waiting on this one.
   */
  public void completed(CachePlan plan, CachedAnswer answer) {
    if (!plan.wantsAnswer()) {
      return;
    }
    if (answer == null || !plan.model.equals(answer.model())) {
      abandoned(plan);
      return;
    }
    if (plan.store) {
      byte[] encoded = answer.encode();
      if (backendDown()) {
        failed("write", new IllegalStateException("backing off after a failure"));
      } else if (encoded.length <= maxEntryChars) {
        store.put(plan.key, answer, plan.ttlMillis)
            .onSuccess(v -> node.metrics.stored(plan.model, encoded.length))
            .onFailure(failure -> failed("write", failure));
      }
    }
    land(plan, answer);
  }

  /** The call ended without an answer to keep (failed, cancelled, truncated): waiting calls go upstream. */
  public void abandoned(CachePlan plan) {
    land(plan, null);
  }

  private void land(CachePlan plan, CachedAnswer answer) {
    Flight flight = plan.flight;
    if (flight != null) {
      plan.flight = null;
      node.flights.remove(plan.key, flight);
      flight.complete(answer);
    }
  }

  /** Longest answer (characters of content and tool arguments) a stream recording keeps. */
  public long maxEntryChars() {
    return maxEntryChars;
  }

  /** Expiry stamp for an answer completed now under {@code plan}. */
  public long expiresAt(CachePlan plan) {
    return node.clock.millis() + plan.ttlMillis;
  }

  /** Removes every cached answer, or those of one model; completes with how many went. */
  public Future<Long> purge(String model) {
    if (store == null) {
      return Future.succeededFuture(0L);
    }
    return store.purge(model);
  }

  /** Drops this node's in-memory entries (of one model, or all); nothing to do for the shared Redis. */
  public void purgeLocal(String model) {
    if (store != null && store == node.memory) {
      node.memory.purge(model);
    }
  }

  public Future<Void> close() {
    return store == null || store == node.memory ? Future.succeededFuture() : store.close();
  }

  private boolean backendDown() {
    return backendDownUntil != 0 && System.currentTimeMillis() < backendDownUntil;
  }

  private void failed(String operation, Throwable failure) {
    node.metrics.error(backend, operation);
    if (!backendDown()) {
      backendDownUntil = System.currentTimeMillis() + BACKOFF_MS;
    }
    long now = System.currentTimeMillis();
    long last = node.lastWarn.get();
    if (now - last >= WARN_INTERVAL_MS && node.lastWarn.compareAndSet(last, now)) {
      long more = node.unreported.getAndSet(0);
      LOG.warn("Response cache {} {} failed; serving as a miss ({} more failures since the last report): {}",
          backend, operation, more, failure.getMessage());
    } else {
      node.unreported.incrementAndGet();
    }
  }
}
