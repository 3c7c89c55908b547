package ai.poncho.limits;

import ai.poncho.config.ConfigReader;
import ai.poncho.cost.PriceTable;
import ai.poncho.security.KeyLimits;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Limits, budgets and prices:
 * <ul>
 *   <li>{@code limits.default} {rpm, tpm, max_parallel}: for every caller (key, or the open gateway's
 *       anonymous caller) that does not set its own;</li>
 *   <li>{@code teams.<name>.limits} {rpm, tpm, max_parallel, max_budget, budget_period}: shared by all
 *       keys of the team;</li>
 *   <li>{@code models.<name>.limits} {rpm, tpm, max_parallel}: all traffic to the model;</li>
 *   <li>{@code models.<name>.pricing}: see {@link PriceTable};</li>
 *   <li>{@code limits.on_store_failure}: {@code allow} (default) or {@code deny} when Redis does not answer
 *       within {@code state.redis.timeout};</li>
 *   <li>{@code limits.budget_alert_at}: the fraction of a budget at which the soft alert fires (0.8);</li>
 *   <li>{@code limits.window}: the sliding window of rpm and tpm (1m; shorter only for tests and demos);</li>
 *   <li>{@code limits.parallel_lease}: how long an in-flight slot is held at most when its node dies
 *       before releasing it (15m).</li>
 * </ul>
 */
public record LimitsConfig(Rates defaults, boolean denyOnStoreFailure, double budgetAlertAt, Duration window,
                           Duration parallelLease, Map<String, KeyLimits> teams, Map<String, Rates> models,
                           PriceTable prices) {

  public static LimitsConfig from(ConfigReader root) {
    ConfigReader limits = root.section("limits");
    Rates defaults = Rates.from(limits.section("default"));
    boolean deny = "deny".equals(limits.oneOf("on_store_failure", "allow", Set.of("allow", "deny")));
    Double alertAt = limits.number("budget_alert_at", 0.01, 1);
    Duration window = limits.duration("window", Duration.ofMinutes(1));
    if (window.toMillis() < 100) {
      limits.problem("window", "must be at least 100ms");
      window = Duration.ofMinutes(1);
    }
    Duration lease = limits.duration("parallel_lease", Duration.ofMinutes(15));
    if (lease.toMillis() < 1000) {
      limits.problem("parallel_lease", "must be at least 1s");
      lease = Duration.ofMinutes(15);
    }
    Map<String, KeyLimits> teams = new LinkedHashMap<>();
    root.section("teams").sections().forEach((name, team) -> {
      ConfigReader teamLimits = team.section("limits");
      teams.put(name, KeyLimits.parse(teamLimits.raw(), teamLimits::problem));
    });
    Map<String, Rates> models = new LinkedHashMap<>();
    ConfigReader modelsSection = root.section("models");
    modelsSection.sections().forEach((name, model) -> {
      if (model.has("limits")) {
        Rates rates = Rates.from(model.section("limits"));
        if (!rates.isEmpty()) {
          models.put(name, rates);
        }
      }
    });
    return new LimitsConfig(defaults, deny, alertAt == null ? 0.8 : alertAt, window, lease, Map.copyOf(teams),
        Map.copyOf(models), PriceTable.from(modelsSection));
  }
}
