package ai.poncho.config;

import java.time.Duration;
import java.util.Set;

/**
 * Where shared state (API keys, limits, usage, cache) lives: {@code state.*}. {@code memory} (the
 * default) keeps it in this node; {@code redis} shares it between replicas through {@code state.redis.url}.
 * Every Redis call fails after {@code state.redis.timeout}, so a slow or dead Redis never holds a request;
 * each feature documents what it does then. Every Redis key starts with {@code state.redis.prefix}
 * (default {@code poncho:}), so several gateways (or tests) can share one Redis.
 */
public record StateConfig(Backend backend, String redisUrl, Duration redisTimeout, int redisPoolSize,
                          String redisPrefix) {

  public enum Backend { MEMORY, REDIS }

  static StateConfig from(ConfigReader reader) {
    String backend = reader.oneOf("backend", "memory", Set.of("memory", "redis"));
    ConfigReader redis = reader.section("redis");
    String url = redis.string("url", "redis://127.0.0.1:6379");
    if (!url.startsWith("redis://") && !url.startsWith("rediss://") && !url.startsWith("unix://")) {
      redis.problem("url", "must be a redis://, rediss:// or unix:// URL");
    }
    Duration timeout = redis.duration("timeout", Duration.ofMillis(500));
    if (timeout.isZero() || timeout.isNegative()) {
      redis.problem("timeout", "must be positive");
    }
    return new StateConfig("redis".equals(backend) ? Backend.REDIS : Backend.MEMORY, url, timeout,
        redis.integer("pool_size", 8, 1, 1024), redis.string("prefix", "poncho:"));
  }

  public boolean redis() {
    return backend == Backend.REDIS;
  }
}
