package ai.poncho.usage;

import java.util.Arrays;
import java.util.function.ToIntFunction;

/**
 * The pieces of text a stream produced, kept uncounted until its end shows whether the provider reported
 * usage: it usually does, and then nothing is counted and no vocabulary is loaded. Pieces sit in one
 * buffer with their end offsets (a few bytes each instead of a String apiece); past
 * {@link #MAX_HELD_CHARS} the held pieces are counted and dropped, so what a stream holds stays bounded.
 * Each piece is counted on its own, so the total does not depend on when the counting happens.
 */
final class ProducedText {

  static final int MAX_HELD_CHARS = 4096;

  private final ToIntFunction<String> counter;
  private final StringBuilder held = new StringBuilder();
  private int[] ends = new int[16];
  private int pieces;
  private int counted;

  ProducedText(ToIntFunction<String> counter) {
    this.counter = counter;
  }

  void add(String piece) {
    if (piece.isEmpty()) {
      return;
    }
    held.append(piece);
    if (pieces == ends.length) {
      ends = Arrays.copyOf(ends, pieces * 2);
    }
    ends[pieces++] = held.length();
    if (held.length() >= MAX_HELD_CHARS) {
      countHeld();
    }
  }

  /** The tokens of every piece added so far. */
  int tokens() {
    countHeld();
    return counted;
  }

  private void countHeld() {
    int start = 0;
    for (int i = 0; i < pieces; i++) {
      counted += counter.applyAsInt(held.substring(start, ends[i]));
      start = ends[i];
    }
    held.setLength(0);
    pieces = 0;
  }
}
