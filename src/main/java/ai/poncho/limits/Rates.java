package ai.poncho.limits;

import ai.poncho.config.ConfigReader;

/** Requests per minute, tokens per minute and calls in flight; 0 means "no limit". */
public record Rates(int rpm, int tpm, int maxParallel) {

  public static final Rates NONE = new Rates(0, 0, 0);

  public boolean isEmpty() {
    return rpm == 0 && tpm == 0 && maxParallel == 0;
  }

  /** {@code own} where set, else {@code fallback}. */
  static Rates of(Integer rpm, Integer tpm, Integer maxParallel, Rates fallback) {
    return new Rates(rpm != null ? rpm : fallback.rpm, tpm != null ? tpm : fallback.tpm,
        maxParallel != null ? maxParallel : fallback.maxParallel);
  }

  static Rates from(ConfigReader reader) {
    return new Rates(reader.integer("rpm", 0, 1, Integer.MAX_VALUE), reader.integer("tpm", 0, 1, Integer.MAX_VALUE),
        reader.integer("max_parallel", 0, 1, Integer.MAX_VALUE));
  }
}
