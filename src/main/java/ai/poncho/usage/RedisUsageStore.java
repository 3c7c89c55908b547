package ai.poncho.usage;

import ai.poncho.state.RedisState;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Usage in Redis, shared by every replica: one hash per UTC day, {@code usage:day:<date>}, with a field
 * per metric, key, team and model ({@code <metric>\t<key>\t<team>\t<model>}, HINCRBY so that concurrent
 * writers add up), kept {@code retention_days}; and the stream {@code usage:recent} capped at about
 * {@code recent_records} entries. One pipeline per flush (several of {@value #PIPELINE} commands for a very
 * large batch).
 */
public final class RedisUsageStore implements UsageStore {

  private static final String NONE = "-";
  private static final String SEP = "\t";
  private static final int PIPELINE = 1000;

  private final RedisState redis;
  private final String prefix;
  private final UsageConfig config;

  public RedisUsageStore(RedisState redis, String prefix, UsageConfig config) {
    this.redis = redis;
    this.prefix = prefix;
    this.config = config;
  }

  @Override
  public Future<Void> write(List<UsageRecord> batch) {
    Map<String, Map<String, Totals>> byDay = new HashMap<>();
    for (UsageRecord record : batch) {
      byDay.computeIfAbsent(record.day().toString(), d -> new HashMap<>())
          .computeIfAbsent(dims(record), d -> new Totals()).add(record);
    }
    List<Request> requests = new ArrayList<>();
    byDay.forEach((day, byDims) -> {
      String key = prefix + "usage:day:" + day;
      byDims.forEach((dims, totals) -> {
        for (int i = 0; i < Totals.METRICS.length; i++) {
          if (totals.values[i] != 0) {
            requests.add(Request.cmd(Command.HINCRBY).arg(key).arg(Totals.METRICS[i] + SEP + dims)
                .arg(totals.values[i]));
          }
        }
      });
      requests.add(Request.cmd(Command.EXPIRE).arg(key).arg(config.retentionDays() * 86_400L));
    });
    if (config.recentRecords() > 0) {
      for (UsageRecord record : batch) {
        requests.add(Request.cmd(Command.XADD).arg(prefix + "usage:recent").arg("MAXLEN").arg("~")
            .arg(config.recentRecords()).arg("*").arg("r").arg(record.toJson().encode()));
      }
    }
    return pipeline(requests, 0);
  }

  /**
   * Sends the commands as pipelines of at most {@value #PIPELINE} one after the other: the client refuses a
   * pipeline longer than its queue of waiting replies, which a large batch of many keys would be.
   */
  private Future<Void> pipeline(List<Request> requests, int from) {
    if (from >= requests.size()) {
      return Future.succeededFuture();
    }
    int to = Math.min(requests.size(), from + PIPELINE);
    return redis.batch(requests.subList(from, to)).compose(done -> pipeline(requests, to));
  }

  @Override
  public Future<List<UsageRow>> rows(LocalDate from, LocalDate to) {
    List<LocalDate> days = new ArrayList<>();
    List<Request> requests = new ArrayList<>();
    for (LocalDate day = from; !day.isAfter(to); day = day.plusDays(1)) {
      days.add(day);
      requests.add(Request.cmd(Command.HGETALL).arg(prefix + "usage:day:" + day));
    }
    return redis.batch(requests).map(responses -> {
      List<UsageRow> rows = new ArrayList<>();
      for (int d = 0; d < days.size(); d++) {
        Map<String, Totals> byDims = new HashMap<>();
        Response hash = responses.get(d);
        for (String field : hash.getKeys()) {
          String[] parts = field.split(SEP, 2);
          int metric = List.of(Totals.METRICS).indexOf(parts[0]);
          if (metric >= 0 && parts.length == 2) {
            byDims.computeIfAbsent(parts[1], k -> new Totals()).values[metric] += hash.get(field).toLong();
          }
        }
        LocalDate day = days.get(d);
        byDims.forEach((dims, totals) -> {
          String[] names = dims.split(SEP, -1);
          rows.add(new UsageRow(day, name(names[0]), name(names[1]), name(names[2]), totals));
        });
      }
      return rows;
    });
  }

  @Override
  public Future<List<JsonObject>> recent(int limit) {
    return redis.send(Request.cmd(Command.XREVRANGE).arg(prefix + "usage:recent").arg("+").arg("-").arg("COUNT")
        .arg(limit)).map(response -> {
          List<JsonObject> records = new ArrayList<>();
          for (Response entry : response) {
            Response fields = entry.get(1);
            records.add(new JsonObject(fields.get(1).toString()));
          }
          return records;
        });
  }

  private static String dims(UsageRecord record) {
    return text(record.keyId()) + SEP + text(record.team()) + SEP + text(record.model());
  }

  private static String text(String value) {
    return value == null ? NONE : value.replace(SEP, " ");
  }

  private static String name(String value) {
    return NONE.equals(value) ? null : value;
  }
}
