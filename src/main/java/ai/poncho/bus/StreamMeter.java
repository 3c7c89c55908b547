package ai.poncho.bus;

import ai.poncho.chat.ChatChunk;
import ai.poncho.chat.Usage;

/**
 * Meters a pumped stream where it runs: counts what was produced, so that a stream that ends without
 * the provider's usage (cancelled, failed, or a provider that reports none) still counts its prompt and
 * the tokens it sent; and prices the final usage for the {@link StreamEnd}.
 */
public interface StreamMeter {

  StreamMeter NONE = new StreamMeter() {
    @Override
    public void onChunk(ChatChunk chunk) {
    }

    @Override
    public Usage unreported() {
      return null;
    }

    @Override
    public String costUsd(Usage usage) {
      return null;
    }
  };

  void onChunk(ChatChunk chunk);

  /** The usage to count when the provider reported none: the prompt estimate and the tokens produced. */
  Usage unreported();

  String costUsd(Usage usage);
}
