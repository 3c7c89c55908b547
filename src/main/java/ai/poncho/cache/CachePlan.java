package ai.poncho.cache;

import ai.poncho.bus.CompletionEvent;

/**
 * What the cache does for one call, decided before it runs: whether to look up, whether to store the
 * answer and for how long, and under which key. After the lookup it knows the answer's {@link #status()}.
 */
public final class CachePlan {

  final String model;
  final CacheKey key;
  final boolean lookup;
  final boolean store;
  final long ttlMillis;
  /** Set when this call leads a coalesced miss: identical calls wait for its answer. */
  Flight flight;
  String status = CompletionEvent.CACHE_BYPASS;

  CachePlan(String model, CacheKey key, boolean lookup, boolean store, long ttlMillis) {
    this.model = model;
    this.key = key;
    this.lookup = lookup;
    this.store = store;
    this.ttlMillis = ttlMillis;
  }

  static CachePlan bypass(String model) {
    return new CachePlan(model, null, false, false, 0);
  }

  /** {@code hit}, {@code miss} or {@code bypass}: the value of {@code x-poncho-cache}. */
  public String status() {
    return status;
  }

  /** Whether the answer, once complete, is wanted: to store it, or for calls waiting on this one. */
  public boolean wantsAnswer() {
    return store || flight != null;
  }
}
