package ai.poncho.cost;

import ai.poncho.security.BudgetPeriod;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;

/** Where budget periods begin and end: UTC midnight, Monday (ISO weeks) and the first of the month. */
public final class BudgetPeriods {

  private BudgetPeriods() {
  }

  /** The first day of the period that contains {@code at}; lifetime budgets start at the epoch. */
  public static LocalDate start(BudgetPeriod period, Instant at) {
    LocalDate day = LocalDate.ofInstant(at, ZoneOffset.UTC);
    return switch (period) {
      case DAILY -> day;
      case WEEKLY -> day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
      case MONTHLY -> day.withDayOfMonth(1);
      case NONE -> LocalDate.EPOCH;
    };
  }

  /** When the period that contains {@code at} ends (the next one starts); null for lifetime budgets. */
  public static Instant end(BudgetPeriod period, Instant at) {
    LocalDate start = start(period, at);
    LocalDate next = switch (period) {
      case DAILY -> start.plusDays(1);
      case WEEKLY -> start.plusWeeks(1);
      case MONTHLY -> start.plusMonths(1);
      case NONE -> null;
    };
    return next == null ? null : next.atStartOfDay(ZoneOffset.UTC).toInstant();
  }
}
