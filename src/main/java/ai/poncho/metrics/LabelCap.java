package ai.poncho.metrics;

import java.util.HashSet;
import java.util.Set;

/**
 * Bounds the values one label can take: the first {@code limit} distinct values are kept as they are,
 * every later one is reported as {@link #OTHER}, so no series explosion can come from values that are
 * not configured names (key ids created through the API, team names set on keys). Confined to the
 * metrics verticle's event loop.
 */
final class LabelCap {

  static final String OTHER = "other";
  static final String NONE = "none";

  private final int limit;
  private final Set<String> seen = new HashSet<>();

  LabelCap(int limit) {
    this.limit = limit;
  }

  /** {@code value} if it is one of the first {@code limit} seen, else {@link #OTHER}; null is {@link #NONE}. */
  String of(String value) {
    if (value == null) {
      return NONE;
    }
    if (seen.contains(value)) {
      return value;
    }
    if (seen.size() >= limit) {
      return OTHER;
    }
    seen.add(value);
    return value;
  }
}
