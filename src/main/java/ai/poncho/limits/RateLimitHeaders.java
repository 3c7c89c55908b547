package ai.poncho.limits;

import io.vertx.core.MultiMap;
import java.util.List;

/**
 * OpenAI's rate-limit headers: {@code x-ratelimit-limit-requests}, {@code -remaining-requests},
 * {@code -reset-requests} and the same for tokens, from the tightest scope (least remaining) of each
 * kind, after this call. A reset is the time until the oldest counted request (tokens) leaves the
 * window, i.e. until remaining grows, in OpenAI's format ({@code 20ms}, {@code 1.5s}, {@code 1m0s}).
 * When only one kind is limited, the other reports {@link #UNLIMITED} with a reset of {@code 0s}, so
 * that every limited response carries all six.
 */
public final class RateLimitHeaders {

  public static final int UNLIMITED = Integer.MAX_VALUE;

  private RateLimitHeaders() {
  }

  public static void apply(MultiMap headers, LimitCheck check, Decision decision, long windowMs) {
    List<Decision.ScopeState> states = decision.states();
    if (states.size() != check.scopes().size()) {
      return;
    }
    long requestLimit = UNLIMITED;
    long requestRemaining = UNLIMITED;
    long requestReset = 0;
    long tokenLimit = UNLIMITED;
    long tokenRemaining = UNLIMITED;
    long tokenReset = 0;
    boolean counted = decision.allowed();
    for (int i = 0; i < states.size(); i++) {
      Rates rates = check.scopes().get(i).rates();
      Decision.ScopeState state = states.get(i);
      if (rates.rpm() > 0) {
        long used = state.requests() + (counted ? 1 : 0);
        long remaining = Math.max(0, rates.rpm() - used);
        if (remaining < requestRemaining || requestLimit == UNLIMITED) {
          requestLimit = rates.rpm();
          requestRemaining = remaining;
          requestReset = state.requests() == 0 ? (counted ? windowMs : 0) : state.requestsResetMs();
        }
      }
      if (rates.tpm() > 0) {
        long used = state.tokens() + (counted ? check.tokens() : 0);
        long remaining = Math.max(0, rates.tpm() - used);
        if (remaining < tokenRemaining || tokenLimit == UNLIMITED) {
          tokenLimit = rates.tpm();
          tokenRemaining = remaining;
          tokenReset = state.tokens() == 0 ? (counted && check.tokens() > 0 ? windowMs : 0) : state.tokensResetMs();
        }
      }
    }
    headers.set("x-ratelimit-limit-requests", Long.toString(requestLimit))
        .set("x-ratelimit-remaining-requests", Long.toString(requestRemaining))
        .set("x-ratelimit-reset-requests", duration(requestReset))
        .set("x-ratelimit-limit-tokens", Long.toString(tokenLimit))
        .set("x-ratelimit-remaining-tokens", Long.toString(tokenRemaining))
        .set("x-ratelimit-reset-tokens", duration(tokenReset));
  }

  /** {@code 0s}, {@code 250ms}, {@code 1.5s}, {@code 6m0s}: the Go-style durations OpenAI sends. */
  static String duration(long ms) {
    if (ms <= 0) {
      return "0s";
    }
    if (ms < 1000) {
      return ms + "ms";
    }
    long minutes = ms / 60_000;
    long restMs = ms % 60_000;
    String seconds = restMs % 1000 == 0 ? Long.toString(restMs / 1000)
        : java.math.BigDecimal.valueOf(restMs, 3).stripTrailingZeros().toPlainString();
    return minutes > 0 ? minutes + "m" + seconds + "s" : seconds + "s";
  }
}
