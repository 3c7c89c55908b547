package ai.poncho.state;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;
import java.time.Clock;

/**
 * The wall clock of one node, UTC. Budget periods and in-memory windows read it; tests replace it to
 * cross a period boundary without waiting. (Redis-backed windows use the Redis server's clock, so that
 * replicas agree.)
 */
public final class GatewayClock implements Shareable {

  private static final String LOCAL_MAP = "poncho";
  private static final String KEY = "gateway.clock";

  private volatile Clock clock = Clock.systemUTC();

  private GatewayClock() {
  }

  public static GatewayClock of(Vertx vertx) {
    GatewayClock fresh = new GatewayClock();
    GatewayClock existing = (GatewayClock) vertx.sharedData().getLocalMap(LOCAL_MAP).putIfAbsent(KEY, fresh);
    return existing != null ? existing : fresh;
  }

  public long millis() {
    return clock.millis();
  }

  public java.time.Instant instant() {
    return clock.instant();
  }

  /** Replaces the clock of this node (tests). */
  public void use(Clock newClock) {
    clock = newClock;
  }
}
