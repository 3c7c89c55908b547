package ai.poncho.usage;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Batches one dispatch instance's usage records off the request path: written every
 * {@code usage.flush_interval} or at {@code batch_size} records, one write of at most {@code batch_size}
 * in flight at a time. At most
 * {@code max_pending} wait (while the store is down, say); past that new records are dropped and
 * counted in {@code poncho_usage_records_dropped_total}. Runs on its verticle's event loop.
 */
public final class UsageWriter {

  private static final Logger LOG = LoggerFactory.getLogger(UsageWriter.class);

  private final Vertx vertx;
  private final UsageStore store;
  private final UsageConfig config;
  private final Counter dropped;
  private final Counter failed;
  private List<UsageRecord> pending = new ArrayList<>();
  /** The write in flight, or null. */
  private Future<Boolean> writing;
  private boolean closing;
  private long timer;
  private long lastWarning;

  public UsageWriter(Vertx vertx, UsageStore store, UsageConfig config, MeterRegistry registry) {
    this.vertx = vertx;
    this.store = store;
    this.config = config;
    this.dropped = Counter.builder("poncho.usage.records.dropped")
        .description("Usage records dropped because too many were waiting to be written").register(registry);
    this.failed = Counter.builder("poncho.usage.flush.failures")
        .description("Usage batches the store did not take (retried at the next flush)").register(registry);
    this.timer = vertx.setPeriodic(config.flushInterval().toMillis(), id -> flush());
  }

  public void add(UsageRecord record) {
    if (pending.size() >= config.maxPending()) {
      dropped.increment();
      return;
    }
    pending.add(record);
    if (pending.size() >= config.batchSize()) {
      flush();
    }
  }

  /**
   * Writes what is pending, at most {@code batch_size} records per write (so a backlog after a burst never
   * becomes one write too large for the store); while a full batch waits, the next write follows at once.
   * Completes when this write is done (or failed and kept for the next one).
   */
  public Future<Void> flush() {
    return write().mapEmpty();
  }

  /** Completes with whether a batch was written; false when there was none, or the store did not take it. */
  private Future<Boolean> write() {
    if (writing != null || pending.isEmpty()) {
      return Future.succeededFuture(false);
    }
    int size = Math.min(pending.size(), config.batchSize());
    List<UsageRecord> batch = new ArrayList<>(pending.subList(0, size));
    pending = new ArrayList<>(pending.subList(size, pending.size()));
    Future<Boolean> write = store.write(batch).map(true).recover(failure -> {
      failed.increment();
      long now = System.currentTimeMillis();
      if (now - lastWarning > 10_000) {
        lastWarning = now;
        LOG.warn("Usage store unavailable ({}); {} records kept for the next flush", failure.getMessage(), batch.size());
      }
      List<UsageRecord> kept = new ArrayList<>(batch);
      kept.addAll(pending);
      if (kept.size() > config.maxPending()) {
        dropped.increment(kept.size() - config.maxPending());
        kept = new ArrayList<>(kept.subList(0, config.maxPending()));
      }
      pending = kept;
      return Future.succeededFuture(false);
    });
    // Set before the completion handler runs: a store that answers at once completes it right here.
    writing = write;
    write.onComplete(done -> {
      writing = null;
      if (!closing && done.result() && pending.size() >= config.batchSize()) {
        write();
      }
    });
    return write;
  }

  /** Writes everything still pending, batch by batch, until done or the store fails. */
  private Future<Void> drain() {
    if (writing != null) {
      return writing.compose(written -> written ? drain() : Future.succeededFuture());
    }
    return write().compose(written -> written && !pending.isEmpty() ? drain() : Future.succeededFuture());
  }

  /** Stops the timer and writes what is left. */
  public Future<Void> close() {
    closing = true;
    vertx.cancelTimer(timer);
    return drain();
  }
}
