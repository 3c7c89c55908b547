package ai.poncho.cache;

import io.vertx.core.Future;

/** Where answers are kept: this node's memory or Redis. Reads of absent or expired entries give null. */
interface CacheStore {

  Future<CachedAnswer> get(CacheKey key);

  Future<Void> put(CacheKey key, CachedAnswer answer, long ttlMillis);

  /** Removes every entry, or only those of {@code model} when it is not null; completes with how many. */
  Future<Long> purge(String model);

  Future<Void> close();
}
