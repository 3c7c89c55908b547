package ai.poncho.usage;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.LocalDate;
import java.util.List;

/**
 * Where usage is kept: daily totals per key, team and model, plus a capped list of recent records. In
 * this node's memory (the embedded default) or in Redis, where every replica writes and reads the same.
 */
public interface UsageStore {

  Future<Void> write(List<UsageRecord> batch);

  /** The daily rows from {@code from} to {@code to}, both included (UTC days). */
  Future<List<UsageRow>> rows(LocalDate from, LocalDate to);

  /** The most recent records, newest first. */
  Future<List<JsonObject>> recent(int limit);
}
