package ai.poncho.usage;

import static org.assertj.core.api.Assertions.assertThat;

import ai.poncho.chat.Usage;
import ai.poncho.config.PonchoConfig;
import ai.poncho.limits.KeySpend;
import ai.poncho.limits.LimitPlan;
import ai.poncho.limits.Stores;
import ai.poncho.security.BudgetPeriod;
import ai.poncho.security.Caller;
import ai.poncho.security.KeyLimits;
import ai.poncho.state.GatewayClock;
import ai.poncho.testing.TestClock;
import ai.poncho.testing.TestServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Metering where calls end: spend per budget period, the soft-alert gauges, a key's remaining budget. */
class MeteringTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void stop() {
    TestServer.await(vertx.close());
  }

  @Test
  void spendPastTheAlertFractionRaisesTheSoftLimitGaugeUntilThePeriodEnds() {
    TestClock clock = new TestClock(Instant.parse("2026-06-30T12:00:00Z"));
    GatewayClock.of(vertx).use(clock);
    PonchoConfig config = PonchoConfig.from(TestServer.config());
    Stores stores = Stores.open(vertx, config);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Metering metering = new Metering(vertx, config, stores, registry);
    KeyLimits limits = new KeyLimits(null, null, null, new BigDecimal("0.00001"), BudgetPeriod.MONTHLY);
    Caller caller = new Caller("key_alert", "blue", limits);

    TestServer.await(metering.settle(caller, "mock", Usage.of(10, 5), 7_000_000));
    KeySpend spend = new KeySpend(stores.limiter(), new LimitPlan(config.limits()), GatewayClock.of(vertx));
    Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() ->
        "0.000007".equals(TestServer.await(spend.of("key_alert", limits)).getString("spend")));
    assertThat(gauge(registry, "poncho.budget.soft.limit.reached")).isZero();

    TestServer.await(metering.settle(caller, "mock", Usage.of(10, 5), 2_000_000));
    Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> gauge(registry, "poncho.budget.soft.limit.reached") == 1);
    assertThat(gauge(registry, "poncho.budget.used.ratio")).isEqualTo(0.9);
    JsonObject key = TestServer.await(spend.of("key_alert", limits));
    assertThat(key.getString("spend")).isEqualTo("0.000009");
    assertThat(key.getString("remaining_budget")).isEqualTo("0.000001");
    assertThat(key.getString("budget_resets_at")).isEqualTo("2026-07-01T00:00:00Z");

    // July: a new period, nothing spent yet.
    clock.advance(Duration.ofDays(1));
    assertThat(gauge(registry, "poncho.budget.soft.limit.reached")).isZero();
    assertThat(TestServer.await(spend.of("key_alert", limits)).getString("spend")).isEqualTo("0");
    TestServer.await(metering.close());
  }

  private static double gauge(SimpleMeterRegistry registry, String name) {
    return registry.get(name).tag("scope", "key").tag("name", "key_alert").gauge().value();
  }
}
