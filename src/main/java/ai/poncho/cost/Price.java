package ai.poncho.cost;

import ai.poncho.chat.Usage;
import java.math.BigDecimal;

/**
 * A model's prices in pico-dollars per token: input, output and cached input (prompt tokens read from
 * the provider's prompt cache). Configured, like the providers publish them, in USD per million tokens.
 */
public record Price(long inputPico, long outputPico, long cachedInputPico) {

  public static final Price FREE = new Price(0, 0, 0);

  /** From USD per million tokens (at most six decimals, checked by the config reader). */
  public static Price perMillion(BigDecimal input, BigDecimal output, BigDecimal cachedInput) {
    return new Price(perToken(input), perToken(output), perToken(cachedInput == null ? input : cachedInput));
  }

  private static long perToken(BigDecimal perMillion) {
    return Money.toPico(perMillion.movePointLeft(6));
  }

  /**
   * The cost of a call in pico-dollars: uncached prompt tokens at the input price, cached ones (a part
   * of the prompt tokens, as OpenAI reports them) at the cached price, completion tokens at the output price.
   */
  public long cost(Usage usage) {
    if (usage == null) {
      return 0;
    }
    int cached = Math.min(Math.max(0, usage.cachedTokens()), usage.promptTokens());
    return Math.multiplyExact((long) usage.promptTokens() - cached, inputPico)
        + Math.multiplyExact((long) cached, cachedInputPico)
        + Math.multiplyExact((long) usage.completionTokens(), outputPico);
  }
}
