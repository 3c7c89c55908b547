package ai.poncho.usage;

import ai.poncho.config.ConfigReader;
import java.time.Duration;

/**
 * {@code usage.*}: how usage records are written. {@code flush_interval} (200ms) and {@code batch_size}
 * (500) batch the writes of one dispatch instance; at most {@code max_pending} (10000) records wait, so
 * a node that dies loses at most its pending batch (in practice one flush interval of calls);
 * {@code recent_records} (10000) are kept as records, and the daily counters {@code retention_days} (400).
 */
public record UsageConfig(Duration flushInterval, int batchSize, int maxPending, int recentRecords,
                          int retentionDays) {

  public static UsageConfig from(ConfigReader reader) {
    Duration interval = reader.duration("flush_interval", Duration.ofMillis(200));
    if (interval.toMillis() < 10) {
      reader.problem("flush_interval", "must be at least 10ms");
      interval = Duration.ofMillis(200);
    }
    return new UsageConfig(interval, reader.integer("batch_size", 500, 1, 100_000),
        reader.integer("max_pending", 10_000, 1, 10_000_000), reader.integer("recent_records", 10_000, 0, 10_000_000),
        reader.integer("retention_days", 400, 1, 10_000));
  }
}
