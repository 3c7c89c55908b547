package ai.poncho.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.poncho.chat.Usage;
import ai.poncho.config.ConfigException;
import ai.poncho.config.PonchoConfig;
import ai.poncho.cost.Money;
import ai.poncho.cost.Price;
import ai.poncho.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/** limits.*, teams.*.limits, models.*.limits and models.*.pricing: read once, every problem reported. */
class LimitsConfigTest {

  @Test
  void defaultsAreAllowOnStoreFailureAndAnEightyPercentAlert() {
    LimitsConfig limits = PonchoConfig.from(TestServer.config()).limits();
    assertThat(limits.denyOnStoreFailure()).isFalse();
    assertThat(limits.budgetAlertAt()).isEqualTo(0.8);
    assertThat(limits.window().toSeconds()).isEqualTo(60);
    assertThat(limits.defaults()).isEqualTo(Rates.NONE);
  }

  @Test
  void everyBadLimitOrPriceIsReportedAtOnce() {
    JsonObject config = TestServer.config()
        .put("limits", new JsonObject().put("on_store_failure", "maybe").put("default", new JsonObject().put("rpm", 0)))
        .put("teams", new JsonObject().put("red", new JsonObject().put("limits", new JsonObject()
            .put("max_budget", "lots").put("budget_period", "yearly"))));
    config.getJsonObject("models").getJsonObject("mock")
        .put("limits", new JsonObject().put("tpm", -5))
        .put("pricing", new JsonObject().put("input_per_1m", "0.0000001").put("output_per_1m", "x"));
    assertThatThrownBy(() -> PonchoConfig.from(config)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("limits.on_store_failure").hasMessageContaining("limits.default.rpm")
        .hasMessageContaining("teams.red.limits.max_budget").hasMessageContaining("teams.red.limits.budget_period")
        .hasMessageContaining("models.mock.limits.tpm").hasMessageContaining("models.mock.pricing.input_per_1m")
        .hasMessageContaining("models.mock.pricing.output_per_1m");
  }

  @Test
  void costIsExactToThePicoDollar() {
    Price price = Price.perMillion(new BigDecimal("0.075"), new BigDecimal("0.3"), new BigDecimal("0.0375"));
    // 7 uncached x 0.075/1M + 3 cached x 0.0375/1M + 11 x 0.3/1M
    long cost = price.cost(Usage.of(10, 11, 3));
    assertThat(Money.format(cost)).isEqualTo("0.0000039375");
    assertThat(Money.toUsd(cost)).isEqualByComparingTo(new BigDecimal("7").multiply(new BigDecimal("0.075"))
        .add(new BigDecimal("3").multiply(new BigDecimal("0.0375"))).add(new BigDecimal("11").multiply(
            new BigDecimal("0.3"))).movePointLeft(6));
    // A million calls add up without drift.
    assertThat(Money.format(cost * 1_000_000)).isEqualTo("3.9375");
  }
}
