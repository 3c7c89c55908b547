package ai.poncho.cache;

import ai.poncho.config.ConfigReader;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The response cache, {@code cache.*}: {@code enabled} for every model (off by default), overridden per
 * model by {@code models.<name>.cache: true|false}; {@code ttl}; the in-memory bounds {@code max_entries}
 * and {@code max_bytes}; {@code namespace} ({@code key}: a key sees only its own answers, {@code team},
 * {@code global}); {@code any_temperature} (otherwise only requests with temperature 0 or a seed are
 * cached); {@code coalesce} (concurrent identical misses on one node make one upstream call). Where the
 * entries live follows {@code state.backend}.
 */
public record CacheConfig(boolean enabled, Map<String, Boolean> models, Duration ttl, int maxEntries, long maxBytes,
                          Namespace namespace, boolean anyTemperature, boolean coalesce) {

  public enum Namespace { GLOBAL, TEAM, KEY }

  public static final Duration DEFAULT_TTL = Duration.ofHours(1);

  public CacheConfig {
    models = Map.copyOf(models);
  }

  public static CacheConfig from(ConfigReader cache, ConfigReader modelsSection) {
    Map<String, Boolean> models = new LinkedHashMap<>();
    // Entries that are no mapping are reported by the model registry already.
    modelsSection.raw().forEach(entry -> {
      if (entry.getValue() instanceof io.vertx.core.json.JsonObject && modelsSection.section(entry.getKey()).has("cache")) {
        models.put(entry.getKey(), modelsSection.section(entry.getKey()).bool("cache", false));
      }
    });
    Duration ttl = cache.duration("ttl", DEFAULT_TTL);
    if (ttl.isZero() || ttl.isNegative()) {
      cache.problem("ttl", "must be positive");
    }
    long maxBytes = cache.bytes("max_bytes", 256L * 1024 * 1024);
    String namespace = cache.oneOf("namespace", "key", Set.of("global", "team", "key"));
    return new CacheConfig(cache.bool("enabled", false), models, ttl,
        cache.integer("max_entries", 100_000, 1, Integer.MAX_VALUE), maxBytes,
        Namespace.valueOf(namespace.toUpperCase(Locale.ROOT)), cache.bool("any_temperature", false),
        cache.bool("coalesce", true));
  }

  /** Whether answers of the public model {@code name} are cached. */
  public boolean enabledFor(String name) {
    return models.getOrDefault(name, enabled);
  }

  /** Whether any model is cached at all (nothing is set up otherwise). */
  public boolean anyEnabled() {
    return enabled || models.containsValue(Boolean.TRUE);
  }
}
