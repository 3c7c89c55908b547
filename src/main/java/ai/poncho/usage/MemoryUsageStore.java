package ai.poncho.usage;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.Shareable;
import java.time.LocalDate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Usage in this node's memory, shared by its dispatch (writing) and HTTP (reading) verticles: daily
 * totals for {@code retention_days} and the last {@code recent_records} records, so it stays bounded.
 */
public final class MemoryUsageStore implements UsageStore, Shareable {

  private static final String LOCAL_MAP = "poncho";
  private static final String KEY = "usage.memory";

  private record Dims(String keyId, String team, String model) {
  }

  private final TreeMap<LocalDate, Map<Dims, Totals>> days = new TreeMap<>();
  private final ArrayDeque<JsonObject> recent = new ArrayDeque<>();
  private final UsageConfig config;

  private MemoryUsageStore(UsageConfig config) {
    this.config = config;
  }

  public static MemoryUsageStore of(Vertx vertx, UsageConfig config) {
    MemoryUsageStore fresh = new MemoryUsageStore(config);
    MemoryUsageStore existing = (MemoryUsageStore) vertx.sharedData().getLocalMap(LOCAL_MAP).putIfAbsent(KEY, fresh);
    return existing != null ? existing : fresh;
  }

  @Override
  public synchronized Future<Void> write(List<UsageRecord> batch) {
    for (UsageRecord record : batch) {
      days.computeIfAbsent(record.day(), d -> new HashMap<>())
          .computeIfAbsent(new Dims(record.keyId(), record.team(), record.model()), d -> new Totals()).add(record);
      if (config.recentRecords() > 0) {
        recent.addFirst(record.toJson());
        if (recent.size() > config.recentRecords()) {
          recent.removeLast();
        }
      }
    }
    while (days.size() > config.retentionDays()) {
      days.pollFirstEntry();
    }
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<List<UsageRow>> rows(LocalDate from, LocalDate to) {
    List<UsageRow> rows = new ArrayList<>();
    days.subMap(from, true, to, true).forEach((day, byDims) -> byDims.forEach((dims, totals) -> {
      Totals copy = new Totals();
      copy.add(totals);
      rows.add(new UsageRow(day, dims.keyId(), dims.team(), dims.model(), copy));
    }));
    return Future.succeededFuture(rows);
  }

  @Override
  public synchronized Future<List<JsonObject>> recent(int limit) {
    List<JsonObject> records = new ArrayList<>();
    Iterator<JsonObject> it = recent.iterator();
    while (it.hasNext() && records.size() < limit) {
      records.add(it.next().copy());
    }
    return Future.succeededFuture(records);
  }
}
