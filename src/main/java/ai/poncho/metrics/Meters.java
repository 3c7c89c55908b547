package ai.poncho.metrics;

import ai.poncho.config.MetricsConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.vertx.micrometer.backends.BackendRegistries;

/** The node's Micrometer registry for PonchoAI's own meters, or a no-op one when metrics are off. */
public final class Meters {

  private Meters() {
  }

  public static MeterRegistry registry(MetricsConfig config) {
    MeterRegistry registry = config.enabled() ? BackendRegistries.getNow(config.registryName()) : null;
    return registry != null ? registry : new CompositeMeterRegistry();
  }
}
