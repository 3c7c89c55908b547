package ai.poncho.cache;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;
import java.time.Duration;

/**
 * The time the response cache of one node goes by: expiry of in-memory entries and the expiry stamped
 * into every stored answer. Tests move it forward to expire entries without waiting.
 */
public final class CacheClock implements Shareable {

  private static final String LOCAL_MAP = "poncho";
  private static final String KEY = "cache.clock";

  private volatile long offsetNanos;

  private CacheClock() {
  }

  public static CacheClock of(Vertx vertx) {
    CacheClock fresh = new CacheClock();
    CacheClock existing = (CacheClock) vertx.sharedData().getLocalMap(LOCAL_MAP).putIfAbsent(KEY, fresh);
    return existing != null ? existing : fresh;
  }

  public long millis() {
    return System.currentTimeMillis() + offsetNanos / 1_000_000;
  }

  /** Monotonic, for Caffeine's expiry. */
  public long nanos() {
    return System.nanoTime() + offsetNanos;
  }

  /** Moves this node's cache time forward (tests). */
  public void advance(Duration duration) {
    offsetNanos += duration.toNanos();
  }
}
