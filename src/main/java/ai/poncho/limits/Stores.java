package ai.poncho.limits;

import ai.poncho.config.PonchoConfig;
import ai.poncho.state.RedisState;
import ai.poncho.usage.MemoryUsageStore;
import ai.poncho.usage.RedisUsageStore;
import ai.poncho.usage.UsageConfig;
import ai.poncho.usage.UsageStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * One verticle's view of the limit and usage stores: the node's shared in-memory ones, or its own
 * Redis connection (created in start, closed in stop) when {@code state.backend: redis}.
 */
public record Stores(Limiter limiter, UsageStore usage, RedisState redis) {

  public static Stores open(Vertx vertx, PonchoConfig config) {
    LimitsConfig limits = config.limits();
    UsageConfig usage = config.usage();
    if (!config.state().redis()) {
      return new Stores(MemoryLimiter.of(vertx, limits), MemoryUsageStore.of(vertx, usage), null);
    }
    RedisState redis = RedisState.create(vertx, config.state());
    String prefix = config.state().redisPrefix();
    return new Stores(new RedisLimiter(redis, prefix, limits), new RedisUsageStore(redis, prefix, usage), redis);
  }

  public Future<Void> close() {
    return redis == null ? Future.succeededFuture() : redis.close();
  }
}
