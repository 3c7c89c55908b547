package ai.poncho.model;

import ai.poncho.config.ModelConfig;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with full jitter, capped; an upstream's Retry-After wins when it fits under the cap. */
final class Backoff {

  private Backoff() {
  }

  /**
   * Milliseconds to wait before retry number {@code retry} (0-based), or -1 when the upstream asked for
   * longer than {@code retry_max_backoff} (better to fall back than to hold the client).
   */
  static long delayMs(ModelConfig.Retry settings, int retry, long retryAfterMs) {
    long cap = settings.maxBackoff().toMillis();
    if (retryAfterMs >= 0) {
      return retryAfterMs > cap ? -1 : retryAfterMs;
    }
    long ceiling = Math.min(cap, settings.initialBackoff().toMillis() << Math.min(retry, 30));
    return ceiling <= 0 ? 0 : ThreadLocalRandom.current().nextLong(ceiling + 1);
  }
}
