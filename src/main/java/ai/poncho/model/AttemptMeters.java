package ai.poncho.model;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Counts what {@link Failover} did beyond the first attempt: {@code poncho_dispatch_retries_total{model,
 * deployment}} (a failed attempt retried on the same model) and {@code poncho_dispatch_fallbacks_total{from,
 * to}} (a model given up for the next of its fallbacks). Labels are configured names only.
 */
final class AttemptMeters {

  private final MeterRegistry registry;

  AttemptMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  void retried(String model, String deployment) {
    Counter.builder("poncho.dispatch.retries").description("Failed upstream attempts that were retried")
        .tag("model", model).tag("deployment", deployment).register(registry).increment();
  }

  void fellBack(String from, String to) {
    Counter.builder("poncho.dispatch.fallbacks").description("Requests passed from a model to its fallback")
        .tag("from", from).tag("to", to).register(registry).increment();
  }
}
