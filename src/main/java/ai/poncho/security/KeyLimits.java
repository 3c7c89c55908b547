package ai.poncho.security;

import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The limits and budget an API key carries (wire names {@code rpm}, {@code tpm}, {@code max_parallel},
 * {@code max_budget} in USD, {@code budget_period}); null means "not limited by the key".
 */
public record KeyLimits(Integer rpm, Integer tpm, Integer maxParallel, BigDecimal maxBudget,
                        BudgetPeriod budgetPeriod) {

  public static final KeyLimits NONE = new KeyLimits(null, null, null, null, null);

  /** The JSON field names of these limits, as accepted on a key. */
  public static final List<String> FIELDS = List.of("rpm", "tpm", "max_parallel", "max_budget", "budget_period");

  public boolean isEmpty() {
    return rpm == null && tpm == null && maxParallel == null && maxBudget == null;
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject();
    putIfSet(json, "rpm", rpm);
    putIfSet(json, "tpm", tpm);
    putIfSet(json, "max_parallel", maxParallel);
    if (maxBudget != null) {
      json.put("max_budget", maxBudget.toPlainString());
    }
    if (budgetPeriod != null) {
      json.put("budget_period", budgetPeriod.wireName());
    }
    return json;
  }

  /** Reads limits already validated by {@link #parse}. */
  public static KeyLimits fromJson(JsonObject json) {
    Object budget = json.getValue("max_budget");
    return new KeyLimits(json.getInteger("rpm"), json.getInteger("tpm"), json.getInteger("max_parallel"),
        budget == null ? null : new BigDecimal(budget.toString()), BudgetPeriod.parse(json.getString("budget_period")));
  }

  /**
   * Reads and validates the limit fields of a key's JSON (a create or patch body); each bad field is
   * reported to {@code problem} as (field, message). Absent fields are null.
   */
  public static KeyLimits parse(JsonObject json, BiConsumer<String, String> problem) {
    Integer rpm = positiveInt(json, "rpm", problem);
    Integer tpm = positiveInt(json, "tpm", problem);
    Integer maxParallel = positiveInt(json, "max_parallel", problem);
    BigDecimal maxBudget = null;
    Object budget = json.getValue("max_budget");
    if (budget != null) {
      try {
        maxBudget = new BigDecimal(budget.toString());
        if (maxBudget.signum() < 0) {
          problem.accept("max_budget", "must be a non-negative amount in USD");
          maxBudget = null;
        }
      } catch (NumberFormatException e) {
        problem.accept("max_budget", "must be a number (USD)");
      }
    }
    BudgetPeriod period = null;
    Object periodValue = json.getValue("budget_period");
    if (periodValue != null) {
      period = periodValue instanceof String name ? BudgetPeriod.parse(name) : null;
      if (period == null) {
        problem.accept("budget_period", "must be one of daily, weekly, monthly, none");
      }
    }
    return new KeyLimits(rpm, tpm, maxParallel, maxBudget, period);
  }

  private static Integer positiveInt(JsonObject json, String field, BiConsumer<String, String> problem) {
    Object value = json.getValue(field);
    if (value == null) {
      return null;
    }
    if (value instanceof Number number && number.doubleValue() == Math.rint(number.doubleValue())
        && number.longValue() >= 1 && number.longValue() <= Integer.MAX_VALUE) {
      return number.intValue();
    }
    problem.accept(field, "must be a positive integer");
    return null;
  }

  private static void putIfSet(JsonObject json, String key, Integer value) {
    if (value != null) {
      json.put(key, value);
    }
  }
}
