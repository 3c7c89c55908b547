package ai.poncho.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A node-wide count of things in flight (streams, sockets, generations), exported as a gauge. Every
 * verticle instance of one Vert.x shares the count: a gauge registered per instance would report only
 * the first instance's.
 */
public final class InFlight implements Shareable {

  private static final String LOCAL_MAP = "poncho.metrics.in-flight";

  private final AtomicInteger count = new AtomicInteger();

  private InFlight() {
  }

  public static InFlight of(Vertx vertx, MeterRegistry registry, String name, String description) {
    LocalMap<String, InFlight> map = vertx.sharedData().getLocalMap(LOCAL_MAP);
    InFlight fresh = new InFlight();
    InFlight existing = map.putIfAbsent(name, fresh);
    if (existing != null) {
      return existing;
    }
    Gauge.builder(name, fresh.count, AtomicInteger::get).description(description).register(registry);
    return fresh;
  }

  public void add(int delta) {
    count.addAndGet(delta);
  }

  public int get() {
    return count.get();
  }
}
