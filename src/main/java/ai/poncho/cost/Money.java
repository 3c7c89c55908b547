package ai.poncho.cost;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Amounts of money as whole pico-dollars (1e-12 USD) in a long: prices are limited to six decimals per
 * million tokens, so the cost of every token is a whole number of pico-dollars and every sum is exact
 * (a long holds up to about 9.2 million USD).
 */
public final class Money {

  private static final int SCALE = 12;

  private Money() {
  }

  public static long toPico(BigDecimal usd) {
    return usd.movePointRight(SCALE).setScale(0, RoundingMode.DOWN).longValueExact();
  }

  public static BigDecimal toUsd(long pico) {
    return BigDecimal.valueOf(pico, SCALE).stripTrailingZeros();
  }

  /** Plain decimal USD without trailing zeros, e.g. {@code 0.000123} or {@code 0}. */
  public static String format(long pico) {
    return pico == 0 ? "0" : toUsd(pico).toPlainString();
  }
}
