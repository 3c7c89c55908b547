package ai.poncho.limits;

import ai.poncho.chat.Ids;
import ai.poncho.config.PonchoConfig;
import ai.poncho.state.RedisState;
import ai.poncho.testing.TestServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The cost of one limit check (rpm + tpm + max_parallel on a key and a model, plus a budget), then its
 * release, on the in-memory limiter and against Redis: run by loadtest/limit-check-bench.sh, not by the
 * test suite. Prints microseconds per check+release, sequentially and with 64 in flight.
 */
public final class LimitCheckBenchmark {

  private LimitCheckBenchmark() {
  }

  public static void main(String[] args) {
    String redisUrl = args.length > 0 ? args[0] : "redis://127.0.0.1:6379";
    Vertx vertx = Vertx.vertx();
    JsonObject json = TestServer.config().put("state", new JsonObject().put("backend", "redis").put("redis",
        new JsonObject().put("url", redisUrl).put("timeout", "5s").put("prefix", Ids.random("poncho-bench-") + ":")));
    PonchoConfig config = PonchoConfig.from(json);
    List<Scope> scopes = List.of(new Scope("key:bench", new Rates(1_000_000_000, 2_000_000_000, 100_000)),
        new Scope("model:mock", new Rates(1_000_000_000, 2_000_000_000, 100_000)));
    List<BudgetLine> budgets = List.of(new BudgetLine("key:bench", "key:bench:none:1970-01-01", 1_000_000_000_000L,
        null, 0));
    run("memory", MemoryLimiter.of(vertx, config.limits()), scopes, budgets, 200_000, 20_000);
    RedisState redis = RedisState.create(vertx, config.state());
    run("redis", new RedisLimiter(redis, config.state().redisPrefix(), config.limits()), scopes, budgets, 5_000, 20_000);
    TestServer.await(redis.close());
    TestServer.await(vertx.close());
  }

  private static void run(String name, Limiter limiter, List<Scope> scopes, List<BudgetLine> budgets, int sequential,
                          int concurrent) {
    for (int round = 0; round < 2; round++) {
      long start = System.nanoTime();
      for (int i = 0; i < sequential; i++) {
        LimitCheck check = new LimitCheck(Ids.random("c"), scopes, 20, budgets);
        TestServer.await(limiter.check(check).compose(decision -> limiter.release(check)));
      }
      double sequentialUs = (System.nanoTime() - start) / 1000.0 / sequential;
      start = System.nanoTime();
      List<Future<Void>> window = new ArrayList<>();
      for (int i = 0; i < concurrent; i++) {
        LimitCheck check = new LimitCheck(Ids.random("c"), scopes, 20, budgets);
        window.add(limiter.check(check).compose(decision -> limiter.release(check)));
        if (window.size() == 64) {
          TestServer.await(Future.all(window));
          window.clear();
        }
      }
      TestServer.await(Future.all(window));
      double concurrentUs = (System.nanoTime() - start) / 1000.0 / concurrent;
      System.out.printf("%s (round %d): %.1f us per check+release one at a time; %.1f us each with 64 in flight "
          + "(%.0f checks/s)%n", name, round + 1, sequentialUs, concurrentUs, 1_000_000 / concurrentUs);
    }
  }
}
