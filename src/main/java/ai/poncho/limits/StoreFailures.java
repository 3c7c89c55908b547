package ai.poncho.limits;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens when the limit store (Redis) does not answer in time: {@code limits.on_store_failure}
 * decides (allow: the call passes unlimited; deny: 429), {@code poncho_limits_store_failures_total}
 * counts it, and a warning is logged at most every ten seconds with the number of failures since.
 */
public final class StoreFailures {

  private static final Logger LOG = LoggerFactory.getLogger(StoreFailures.class);
  private static final long LOG_EVERY_MS = 10_000;

  private final boolean deny;
  private final Counter checks;
  private final Counter updates;
  private final AtomicLong lastLog = new AtomicLong();
  private final AtomicLong suppressed = new AtomicLong();

  public StoreFailures(boolean deny, MeterRegistry registry) {
    this.deny = deny;
    this.checks = counter(registry, "check", deny ? "deny" : "allow");
    this.updates = counter(registry, "update", "skip");
  }

  private static Counter counter(MeterRegistry registry, String operation, String policy) {
    return Counter.builder("poncho.limits.store.failures")
        .description("Limit-store (Redis) calls that failed or timed out, and what was done")
        .tag("operation", operation).tag("policy", policy).register(registry);
  }

  /** The decision for a check the store could not answer. */
  public Decision onCheckFailure(Throwable failure) {
    checks.increment();
    log("limit check", failure);
    return Decision.storeFailure(deny);
  }

  /** A release, settlement or spend read that failed: counted and logged, never retried inline. */
  public void onUpdateFailure(String what, Throwable failure) {
    updates.increment();
    log(what, failure);
  }

  private void log(String what, Throwable failure) {
    long now = System.currentTimeMillis();
    long last = lastLog.get();
    if (now - last >= LOG_EVERY_MS && lastLog.compareAndSet(last, now)) {
      LOG.warn("Limit store unavailable ({} failed: {}); policy on_store_failure={}; {} more failures since the last"
          + " warning", what, failure.getMessage(), deny ? "deny" : "allow", suppressed.getAndSet(0));
    } else {
      suppressed.incrementAndGet();
    }
  }
}
