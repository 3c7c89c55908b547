package ai.poncho.usage;

import static org.assertj.core.api.Assertions.assertThat;

import ai.poncho.chat.Ids;
import ai.poncho.config.PonchoConfig;
import ai.poncho.state.RedisState;
import ai.poncho.testing.TestServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Usage records under load: a backlog that built up while a write was slow goes out in batches of at most
 * {@code batch_size}, and a very large batch of many keys still reaches Redis whole.
 */
class UsageWriterTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void stop() {
    TestServer.await(vertx.close());
  }

  private static UsageRecord record(String keyId) {
    return new UsageRecord(System.currentTimeMillis(), Ids.requestId(), keyId, "team", "mock", "mock", 10, 5, 0,
        1_000_000, 200, false, 1.0, 0.5, null);
  }

  /** Takes writes, holding the first one until released, and remembers their sizes. */
  private static final class SlowFirstWrite implements UsageStore {
    final List<Integer> sizes = new ArrayList<>();
    final Promise<Void> first = Promise.promise();

    @Override
    public Future<Void> write(List<UsageRecord> batch) {
      sizes.add(batch.size());
      return sizes.size() == 1 ? first.future() : Future.succeededFuture();
    }

    @Override
    public Future<List<UsageRow>> rows(LocalDate from, LocalDate to) {
      return Future.succeededFuture(List.of());
    }

    @Override
    public Future<List<JsonObject>> recent(int limit) {
      return Future.succeededFuture(List.of());
    }
  }

  @Test
  void aBacklogBuiltDuringASlowWriteGoesOutInBatchesOfAtMostBatchSize() {
    SlowFirstWrite store = new SlowFirstWrite();
    UsageWriter writer = new UsageWriter(vertx, store, new UsageConfig(Duration.ofHours(1), 500, 10_000, 0, 400),
        new SimpleMeterRegistry());
    IntStream.range(0, 1700).forEach(i -> writer.add(record("key_" + i)));
    assertThat(store.sizes).containsExactly(500);

    store.first.complete();
    assertThat(store.sizes).containsExactly(500, 500, 500);
    TestServer.await(writer.close());
    assertThat(store.sizes).containsExactly(500, 500, 500, 200);
  }

  @Test
  void aBatchOfThousandsOfKeysReachesRedisWhole() {
    String prefix = Ids.random("poncho-test:usage:") + ":";
    PonchoConfig config = PonchoConfig.from(TestServer.config().put("state", new JsonObject().put("backend", "redis")
        .put("redis", new JsonObject().put("prefix", prefix).put("timeout", "5s"))));
    RedisState redis = RedisState.create(vertx, config.state());
    UsageConfig usage = new UsageConfig(Duration.ofHours(1), 6000, 10_000, 100, 400);
    RedisUsageStore store = new RedisUsageStore(redis, prefix, usage);
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    try {
      // Thousands of keys make a pipeline of more commands than the client keeps replies waiting for.
      List<UsageRecord> batch = IntStream.range(0, 6000).mapToObj(i -> record("key_" + i)).toList();
      TestServer.await(store.write(batch));

      List<UsageRow> rows = TestServer.await(store.rows(today, today));
      assertThat(rows).hasSize(6000);
      assertThat(rows.stream().mapToLong(row -> row.totals().values[0]).sum()).isEqualTo(6000);
      assertThat(TestServer.await(store.recent(10))).hasSize(10);
    } finally {
      TestServer.await(redis.send(Request.cmd(Command.DEL).arg(prefix + "usage:day:" + today)
          .arg(prefix + "usage:recent")));
      TestServer.await(redis.close());
    }
  }
}
