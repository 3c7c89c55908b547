package ai.poncho.security;

import java.util.Locale;

/** How often a budget starts again; periods begin at UTC boundaries. {@code NONE}: a lifetime budget. */
public enum BudgetPeriod {
  DAILY, WEEKLY, MONTHLY, NONE;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The period named in config or a key's JSON ({@code daily}, ...), or null when it names none. */
  public static BudgetPeriod parse(String name) {
    if (name == null) {
      return null;
    }
    for (BudgetPeriod period : values()) {
      if (period.wireName().equals(name.toLowerCase(Locale.ROOT))) {
        return period;
      }
    }
    return null;
  }
}
