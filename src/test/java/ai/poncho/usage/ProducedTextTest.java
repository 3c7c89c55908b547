package ai.poncho.usage;

import static org.assertj.core.api.Assertions.assertThat;

import ai.poncho.limits.TokenEstimator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A stream's produced text is tokenized only when its tokens are asked for, or once it holds too much. */
class ProducedTextTest {

  private final TokenEstimator estimator = new TokenEstimator(Map.of());
  private final List<String> counted = new ArrayList<>();
  private final ProducedText text = new ProducedText(piece -> {
    counted.add(piece);
    return estimator.count("gpt-4o-mini", piece);
  });

  @Test
  void aStreamWhoseUsageIsReportedNeverNeedsTheTokenizer() {
    for (int i = 0; i < 500; i++) {
      text.add(" word" + i);
    }
    assertThat(counted).isEmpty();
  }

  @Test
  void theTotalIsTheSumOfEveryPieceCountedOnItsOwn() {
    List<String> pieces = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      pieces.add(i % 7 == 0 ? "" : i % 5 == 0 ? " naïve café " + i : " piece" + i + ",");
    }
    pieces.add("{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}");
    pieces.forEach(text::add);

    int expected = pieces.stream().mapToInt(piece -> estimator.count("gpt-4o-mini", piece)).sum();
    assertThat(text.tokens()).isEqualTo(expected).isPositive();
    assertThat(counted).containsExactlyElementsOf(pieces.stream().filter(piece -> !piece.isEmpty()).toList());
    assertThat(text.tokens()).isEqualTo(expected);
  }

  @Test
  void heldTextIsCountedAndDroppedPastTheBound() {
    String piece = "x".repeat(100);
    int fits = ProducedText.MAX_HELD_CHARS / piece.length();
    for (int i = 0; i < fits; i++) {
      text.add(piece);
    }
    assertThat(counted).isEmpty();

    text.add(piece);
    assertThat(counted).hasSize(fits + 1);
    text.add(piece);
    assertThat(counted).hasSize(fits + 1);
  }
}
