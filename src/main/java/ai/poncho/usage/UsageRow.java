package ai.poncho.usage;

import java.time.LocalDate;

/** Daily totals of one key, team and model. */
public record UsageRow(LocalDate day, String keyId, String team, String model, Totals totals) {
}
