package ai.poncho.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Future;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The embedded backend: one Caffeine cache per node, shared by its dispatch instances, bounded by weight
 * in bytes. Each entry weighs at least {@code max_bytes / max_entries}, so one bound enforces both: the
 * bytes held never pass {@code max_bytes} and the entries never pass {@code max_entries}. Entries expire
 * after their own TTL on the node's {@link CacheClock}. Exposes {@code poncho_cache_bytes} and
 * {@code poncho_cache_entries}.
 */
final class MemoryCacheStore implements CacheStore {

  private final Cache<CacheKey, Entry> cache;
  private final Map<String, AtomicLong> bytesByModel = new ConcurrentHashMap<>();
  private final CacheMetrics metrics;
  private final CacheClock clock;

  private record Entry(CachedAnswer answer, int bytes, long expiresAtNanos) {
  }

  MemoryCacheStore(CacheConfig config, CacheClock clock, CacheMetrics metrics) {
    this.metrics = metrics;
    this.clock = clock;
    int minWeight = (int) Math.max(1, Math.min(Integer.MAX_VALUE, config.maxBytes() / config.maxEntries()));
    cache = Caffeine.newBuilder()
        .maximumWeight(config.maxBytes())
        .weigher((CacheKey key, Entry entry) -> Math.max(minWeight, entry.bytes()))
        .expireAfter(new Expiry<CacheKey, Entry>() {
          @Override
          public long expireAfterCreate(CacheKey key, Entry entry, long currentTime) {
            return Math.max(0, entry.expiresAtNanos() - currentTime);
          }

          @Override
          public long expireAfterUpdate(CacheKey key, Entry entry, long currentTime, long currentDuration) {
            return Math.max(0, entry.expiresAtNanos() - currentTime);
          }

          @Override
          public long expireAfterRead(CacheKey key, Entry entry, long currentTime, long currentDuration) {
            return currentDuration;
          }
        })
        .ticker(clock::nanos)
        // Maintenance and listeners run on the calling thread: cheap, and the meters stay exact.
        .executor(Runnable::run)
        .removalListener((CacheKey key, Entry entry, RemovalCause cause) -> removed(key, entry, cause))
        .build();
    Gauge.builder("poncho.cache.entries", cache, Cache::estimatedSize)
        .description("Answers held in this node's response cache").register(metrics.registry());
  }

  @Override
  public Future<CachedAnswer> get(CacheKey key) {
    Entry entry = cache.getIfPresent(key);
    return Future.succeededFuture(entry == null ? null : entry.answer());
  }

  @Override
  public Future<Void> put(CacheKey key, CachedAnswer answer, long ttlMillis) {
    int bytes = (int) Math.min(Integer.MAX_VALUE, answer.encode().length + key.hash().length() + key.model().length());
    bytesOf(key.model()).addAndGet(bytes);
    cache.put(key, new Entry(answer, bytes, clock.nanos() + ttlMillis * 1_000_000L));
    return Future.succeededFuture();
  }

  /** Registers the model's byte gauge at zero. */
  void prepare(String model) {
    bytesOf(model);
  }

  @Override
  public Future<Long> purge(String model) {
    long removed = 0;
    for (CacheKey key : cache.asMap().keySet()) {
      if ((model == null || model.equals(key.model())) && cache.asMap().remove(key) != null) {
        removed++;
      }
    }
    return Future.succeededFuture(removed);
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }

  private void removed(CacheKey key, Entry entry, RemovalCause cause) {
    if (key == null || entry == null) {
      return;
    }
    bytesOf(key.model()).addAndGet(-entry.bytes());
    if (cause == RemovalCause.SIZE) {
      metrics.evicted(key.model(), "size");
    } else if (cause == RemovalCause.EXPIRED) {
      metrics.evicted(key.model(), "expired");
    }
  }

  private AtomicLong bytesOf(String model) {
    return bytesByModel.computeIfAbsent(model, name -> {
      AtomicLong bytes = new AtomicLong();
      Gauge.builder("poncho.cache.bytes", bytes, AtomicLong::get).baseUnit("bytes")
          .description("Bytes of answers held in this node's response cache").tag("model", name)
          .register(metrics.registry());
      return bytes;
    });
  }
}
