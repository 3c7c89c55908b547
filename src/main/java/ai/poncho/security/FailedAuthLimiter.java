package ai.poncho.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts failed authentications per client address in fixed one-minute windows, per node (shared by
 * the HTTP verticle instances). Past the bound an address gets 429 before any key lookup is made, until
 * the minute is over. Bounded in memory: at most {@value #MAX_ADDRESSES} addresses are tracked.
 */
public final class FailedAuthLimiter implements Shareable {

  private static final String SHARED_KEY = "auth.failed-attempts";
  private static final int MAX_ADDRESSES = 100_000;
  private static final long WINDOW_MS = 60_000;

  private final int perMinute;
  /** Per address: window number in the high bits, failures in the low 20 bits. */
  private final Cache<String, AtomicLong> windows = Caffeine.newBuilder().maximumSize(MAX_ADDRESSES)
      .expireAfterWrite(Duration.ofMillis(2 * WINDOW_MS)).build();

  private FailedAuthLimiter(int perMinute) {
    this.perMinute = perMinute;
  }

  public static FailedAuthLimiter shared(Vertx vertx, int perMinute) {
    LocalMap<String, FailedAuthLimiter> map = vertx.sharedData().getLocalMap("poncho");
    synchronized (FailedAuthLimiter.class) {
      FailedAuthLimiter limiter = map.get(SHARED_KEY);
      if (limiter == null) {
        limiter = new FailedAuthLimiter(perMinute);
        map.put(SHARED_KEY, limiter);
      }
      return limiter;
    }
  }

  /** Seconds until the address may try again, or 0 when it may now. */
  public long blockedFor(String address, long nowMs) {
    if (perMinute <= 0 || address == null) {
      return 0;
    }
    AtomicLong window = windows.getIfPresent(address);
    if (window == null) {
      return 0;
    }
    long state = window.get();
    long current = nowMs / WINDOW_MS;
    if (state >>> 20 != current || (state & 0xFFFFF) < perMinute) {
      return 0;
    }
    return Math.max(1, ((current + 1) * WINDOW_MS - nowMs + 999) / 1000);
  }

  public void failed(String address, long nowMs) {
    if (perMinute <= 0 || address == null) {
      return;
    }
    long current = nowMs / WINDOW_MS;
    windows.get(address, a -> new AtomicLong(current << 20)).updateAndGet(state ->
        state >>> 20 == current ? (state & 0xFFFFF) == 0xFFFFF ? state : state + 1 : (current << 20) + 1);
  }
}
