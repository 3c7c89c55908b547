package ai.poncho.limits;

import static org.assertj.core.api.Assertions.assertThat;

import ai.poncho.chat.Ids;
import ai.poncho.config.PonchoConfig;
import ai.poncho.security.BudgetPeriod;
import ai.poncho.security.Caller;
import ai.poncho.security.KeyLimits;
import ai.poncho.state.GatewayClock;
import ai.poncho.state.RedisState;
import ai.poncho.testing.TestClock;
import ai.poncho.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Both limiters (in memory, and on the machine's Redis under a random key prefix) give the same answers:
 * sliding windows, token holds and settlements, in-flight slots, budgets per UTC period.
 */
class LimiterTest {

  private static final Instant START = Instant.parse("2026-03-31T23:59:00Z");

  private Vertx vertx;
  private RedisState redis;
  private TestClock clock;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    clock = new TestClock(START);
    GatewayClock.of(vertx).use(clock);
  }

  @AfterEach
  void stop() {
    if (redis != null) {
      TestServer.await(redis.close());
    }
    TestServer.await(vertx.close());
  }

  private PonchoConfig config(String backend, String window) {
    JsonObject json = TestServer.config().put("state", new JsonObject().put("backend", backend)
            .put("redis", new JsonObject().put("prefix", Ids.random("poncho-test-") + ":").put("timeout", "5s")))
        .put("limits", new JsonObject().put("window", window))
        .put("teams", new JsonObject().put("red", new JsonObject().put("limits", new JsonObject()
            .put("max_budget", "0.000003").put("budget_period", "monthly"))));
    return PonchoConfig.from(json);
  }

  private Limiter limiter(String backend, String window) {
    PonchoConfig config = config(backend, window);
    if ("memory".equals(backend)) {
      return MemoryLimiter.of(vertx, config.limits());
    }
    redis = RedisState.create(vertx, config.state());
    return new RedisLimiter(redis, config.state().redisPrefix(), config.limits());
  }

  private static LimitCheck check(Scope scope, int tokens) {
    return new LimitCheck(Ids.random("c"), List.of(scope), tokens, List.of());
  }

  private static Scope scope(int rpm, int tpm, int parallel) {
    return new Scope(Ids.random("key:"), new Rates(rpm, tpm, parallel));
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "redis"})
  void admitsExactlyTheRequestsPerWindowThenSaysWhenToRetry(String backend) {
    Limiter limiter = limiter(backend, "1m");
    Scope scope = scope(5, 0, 0);
    for (int i = 0; i < 5; i++) {
      Decision decision = TestServer.await(limiter.check(check(scope, 0)));
      assertThat(decision.verdict()).isEqualTo(Decision.Verdict.ALLOWED);
      assertThat(decision.states().get(0).requests()).isEqualTo(i);
    }
    Decision refused = TestServer.await(limiter.check(check(scope, 0)));
    assertThat(refused.verdict()).isEqualTo(Decision.Verdict.RATE_LIMITED);
    assertThat(refused.retryAfterMs()).isBetween(1L, 60_000L);
    assertThat(refused.states().get(0).requests()).isEqualTo(5);
    // Refused calls are not counted: the window still holds five.
    assertThat(TestServer.await(limiter.check(check(scope, 0))).states().get(0).requests()).isEqualTo(5);
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "redis"})
  void theWindowSlidesRequestByRequest(String backend) {
    Limiter limiter = limiter(backend, "1s");
    Scope scope = scope(2, 0, 0);
    assertThat(TestServer.await(limiter.check(check(scope, 0))).allowed()).isTrue();
    clock.advance(Duration.ofMillis(600));
    if ("redis".equals(backend)) {
      sleepRedisClock(600);
    }
    assertThat(TestServer.await(limiter.check(check(scope, 0))).allowed()).isTrue();
    assertThat(TestServer.await(limiter.check(check(scope, 0))).allowed()).isFalse();
    // 1s after the first request only it has left the window: one more passes, not two.
    clock.advance(Duration.ofMillis(450));
    if ("redis".equals(backend)) {
      Awaitility.await().atMost(3, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(50))
          .until(() -> TestServer.await(limiter.check(check(scope, 0))).allowed());
    } else {
      assertThat(TestServer.await(limiter.check(check(scope, 0))).allowed()).isTrue();
    }
    assertThat(TestServer.await(limiter.check(check(scope, 0))).allowed()).isFalse();
  }

  /** Redis windows run on the Redis server's clock, which a test cannot move. */
  private static void sleepRedisClock(long ms) {
    long until = System.currentTimeMillis() + ms;
    Awaitility.await().atMost(ms + 2000, TimeUnit.MILLISECONDS).pollInterval(Duration.ofMillis(20))
        .until(() -> System.currentTimeMillis() >= until);
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "redis"})
  void tokensAreHeldAtTheEstimateThenCountedAsReported(String backend) {
    Limiter limiter = limiter(backend, "1m");
    Scope scope = scope(0, 100, 0);
    LimitCheck first = check(scope, 40);
    assertThat(TestServer.await(limiter.check(first)).allowed()).isTrue();
    // 40 held + 70 asked > 100.
    assertThat(TestServer.await(limiter.check(check(scope, 70))).verdict()).isEqualTo(Decision.Verdict.RATE_LIMITED);
    // The call ends having used 90 tokens: the hold goes, the usage counts.
    TestServer.await(limiter.settle(List.of(scope), 90, List.of(), 0));
    TestServer.await(limiter.release(first));
    Decision after = TestServer.await(limiter.check(check(scope, 5)));
    assertThat(after.allowed()).isTrue();
    assertThat(after.states().get(0).tokens()).isEqualTo(90);
    assertThat(TestServer.await(limiter.check(check(scope, 6))).allowed()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "redis"})
  void callsInFlightAreCappedUntilReleased(String backend) {
    Limiter limiter = limiter(backend, "1m");
    Scope scope = scope(0, 0, 2);
    LimitCheck one = check(scope, 0);
    assertThat(TestServer.await(limiter.check(one)).allowed()).isTrue();
    assertThat(TestServer.await(limiter.check(check(scope, 0))).allowed()).isTrue();
    assertThat(TestServer.await(limiter.check(check(scope, 0))).allowed()).isFalse();
    TestServer.await(limiter.release(one));
    assertThat(TestServer.await(limiter.check(check(scope, 0))).allowed()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "redis"})
  void aSpentBudgetRefusesCallsUntilItsPeriodEndsAtUtcMidnight(String backend) {
    Limiter limiter = limiter(backend, "1m");
    LimitPlan plan = new LimitPlan(config(backend, "1m").limits());
    Caller caller = new Caller(Ids.random("key_"), "red", new KeyLimits(null, null, null, new BigDecimal("0.000002"),
        BudgetPeriod.DAILY));
    LimitCheck check = plan.check(Ids.random("c"), caller, "mock", 0, clock.instant());
    assertThat(TestServer.await(limiter.check(check)).allowed()).isTrue();
    // Two calls of 1 micro-dollar each (1e6 pico) spend the key's 2 micro-dollar daily budget.
    List<BudgetLine> lines = plan.budgets(caller, clock.instant());
    assertThat(TestServer.await(limiter.settle(List.of(), 0, lines, 1_000_000))).containsExactly(1_000_000L, 1_000_000L);
    assertThat(TestServer.await(limiter.check(plan.check(Ids.random("c"), caller, "mock", 0, clock.instant())))
        .allowed()).isTrue();
    TestServer.await(limiter.settle(List.of(), 0, lines, 1_000_000));
    Decision over = TestServer.await(limiter.check(plan.check(Ids.random("c"), caller, "mock", 0, clock.instant())));
    assertThat(over.verdict()).isEqualTo(Decision.Verdict.OVER_BUDGET);
    assertThat(over.overBudgetScope()).isEqualTo("key:" + caller.keyId());

    // At midnight UTC the daily key budget starts again, but the team's monthly one (3 micro-dollars)
    // also rolled over: 2026-04-01 starts a new month too.
    clock.advance(Duration.ofMinutes(1));
    assertThat(TestServer.await(limiter.check(plan.check(Ids.random("c"), caller, "mock", 0, clock.instant())))
        .allowed()).isTrue();
    List<BudgetLine> april = plan.budgets(caller, clock.instant());
    TestServer.await(limiter.settle(List.of(), 0, april, 3_000_000));
    Decision team = TestServer.await(limiter.check(plan.check(Ids.random("c"), new Caller(Ids.random("key_"), "red",
        KeyLimits.NONE), "mock", 0, clock.instant())));
    assertThat(team.verdict()).isEqualTo(Decision.Verdict.OVER_BUDGET);
    assertThat(team.overBudgetScope()).isEqualTo("team:red");
    assertThat(TestServer.await(limiter.spend(april))).containsExactly(3_000_000L, 3_000_000L);
  }
}
