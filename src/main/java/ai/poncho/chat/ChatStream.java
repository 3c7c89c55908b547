package ai.poncho.chat;

import io.vertx.core.streams.ReadStream;

/**
 * A provider's streamed completion. It emits nothing until a handler is set, honours pause/resume by
 * pausing the upstream read, ends with {@code endHandler}, and reports a failure after the start through
 * {@code exceptionHandler} with a {@link ai.poncho.error.GatewayException}.
 */
public interface ChatStream extends ReadStream<ChatChunk> {

  /** Stops the upstream call now; no handler is called afterwards. */
  void cancel();
}
