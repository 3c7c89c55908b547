package ai.poncho.chat;

import io.vertx.core.Handler;
import io.vertx.core.streams.ReadStream;

/**
 * A provider's streamed completion. It emits nothing until a handler is set, honours pause/resume by
 * pausing the upstream read, ends with {@code endHandler}, and reports a failure after the start through
 * {@code exceptionHandler} with a {@link ai.poncho.error.GatewayException}.
 */
public interface ChatStream extends ReadStream<ChatChunk> {

  /** Stops the upstream call now; no handler is called afterwards. */
  void cancel();

  /**
   * Asks to be told after each group of chunks that arrived together (one upstream network read), so
   * that a consumer can pass a group on at once as one message. Returns false for a stream without such
   * groups: it never calls {@code handler}, and each of its chunks stands alone.
   */
  default boolean batchEndHandler(Handler<Void> handler) {
    return false;
  }
}
