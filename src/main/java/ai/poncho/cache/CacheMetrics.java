package ai.poncho.cache;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cache's meters, per model: {@code poncho_cache_hits_total}, {@code _misses_total},
 * {@code _bypasses_total}, {@code _stores_total}, {@code _stored_bytes_total}, {@code _evictions_total}
 * (memory backend, by reason), and {@code poncho_cache_errors_total} (Redis calls that failed and became
 * misses). Looked up once per model, not per request.
 */
final class CacheMetrics {

  private final MeterRegistry registry;
  private final Map<String, ModelMeters> byModel = new ConcurrentHashMap<>();
  private final Map<String, Counter> evictions = new ConcurrentHashMap<>();
  private final Map<String, Counter> errors = new ConcurrentHashMap<>();

  private record ModelMeters(Counter hits, Counter misses, Counter bypasses, Counter stores, Counter storedBytes) {
  }

  CacheMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  MeterRegistry registry() {
    return registry;
  }

  /** Registers a cached model's meters at zero, so dashboards and rate() see them before the first request. */
  void prepare(String model, boolean memory) {
    meters(model);
    if (memory) {
      evictions(model, "size");
      evictions(model, "expired");
    }
  }

  void prepareErrors(String backend) {
    errors(backend, "read");
    errors(backend, "write");
  }

  void hit(String model) {
    meters(model).hits().increment();
  }

  void miss(String model) {
    meters(model).misses().increment();
  }

  void bypass(String model) {
    meters(model).bypasses().increment();
  }

  void stored(String model, long bytes) {
    ModelMeters m = meters(model);
    m.stores().increment();
    m.storedBytes().increment(bytes);
  }

  void evicted(String model, String reason) {
    evictions(model, reason).increment();
  }

  void error(String backend, String operation) {
    errors(backend, operation).increment();
  }

  private Counter evictions(String model, String reason) {
    return evictions.computeIfAbsent(model + '\n' + reason, k -> Counter.builder("poncho.cache.evictions")
        .description("Cached answers dropped before a purge: size (over the bounds) or expired")
        .tag("model", model).tag("reason", reason).register(registry));
  }

  private Counter errors(String backend, String operation) {
    return errors.computeIfAbsent(backend + '\n' + operation, k -> Counter.builder("poncho.cache.errors")
        .description("Cache backend calls that failed; a failed read is served as a miss")
        .tag("backend", backend).tag("operation", operation).register(registry));
  }

  private ModelMeters meters(String model) {
    ModelMeters m = byModel.get(model);
    if (m == null) {
      m = byModel.computeIfAbsent(model, name -> new ModelMeters(
          counter("poncho.cache.hits", "Answers served from the response cache", name),
          counter("poncho.cache.misses", "Cacheable requests not found in the response cache", name),
          counter("poncho.cache.bypasses", "Requests the response cache did not look up (off, not cacheable, "
              + "no-cache)", name),
          counter("poncho.cache.stores", "Answers stored in the response cache", name),
          Counter.builder("poncho.cache.stored.bytes").baseUnit("bytes")
              .description("Bytes of answers stored in the response cache").tag("model", name).register(registry)));
    }
    return m;
  }

  private Counter counter(String name, String description, String model) {
    return Counter.builder(name).description(description).tag("model", model).register(registry);
  }
}
