package ai.poncho.bus;

import ai.poncho.chat.ChatChunk;
import ai.poncho.chat.Usage;
import io.vertx.core.Future;

/**
 * Meters a pumped stream where it runs: counts what was produced, so that a stream that ends without
 * the provider's usage (cancelled, failed, or a provider that reports none) still counts its prompt and
 * the tokens it sent; prices the final usage for the {@link StreamEnd}; and settles it with the limits
 * and budgets before the end goes out.
 */
public interface StreamMeter {

  /** A cached answer's replay: it used no provider tokens, so it settles nothing and costs 0 USD. */
  StreamMeter FREE = new StreamMeter() {
    @Override
    public void onChunk(ChatChunk chunk) {
    }

    @Override
    public Future<Usage> unreported() {
      return Future.succeededFuture();
    }

    @Override
    public String costUsd(Usage usage) {
      return "0";
    }

    @Override
    public Future<Void> settle(Usage usage) {
      return Future.succeededFuture();
    }
  };

  void onChunk(ChatChunk chunk);

  /**
   * The usage to count when the provider reported none: the prompt estimate and the tokens produced.
   * Counting reads a vocabulary (about half a second the first time) and costs CPU in proportion to the
   * text, so it completes later, off the event loop; repeated calls return the first count. Never fails.
   */
  Future<Usage> unreported();

  String costUsd(Usage usage);

  /**
   * Counts the stream's usage against its limits and budgets, once (later calls return the first
   * settlement); completes when counted, or when the store gave up. Never fails.
   */
  Future<Void> settle(Usage usage);
}
