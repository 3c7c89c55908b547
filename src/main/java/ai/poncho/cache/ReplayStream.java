package ai.poncho.cache;

import ai.poncho.chat.ChatChunk;
import ai.poncho.chat.ChatStream;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import java.util.List;

/**
 * A cached answer played back as a provider stream, so it goes through the same flow-controlled pump,
 * SSE and WebSocket writers as a live one. Emission runs on the context that created it and stops while
 * paused.
 */
public final class ReplayStream implements ChatStream {

  private final Context context;
  private final List<ChatChunk> chunks;
  private Handler<ChatChunk> handler;
  private Handler<Void> endHandler;
  private int next;
  private boolean paused;
  private boolean finished;
  private boolean scheduled;

  public ReplayStream(Context context, List<ChatChunk> chunks) {
    this.context = context;
    this.chunks = chunks;
  }

  @Override
  public ReplayStream handler(Handler<ChatChunk> handler) {
    this.handler = handler;
    schedule();
    return this;
  }

  @Override
  public ReplayStream endHandler(Handler<Void> endHandler) {
    this.endHandler = endHandler;
    return this;
  }

  /** A replay cannot fail once it started. */
  @Override
  public ReplayStream exceptionHandler(Handler<Throwable> handler) {
    return this;
  }

  @Override
  public ReplayStream pause() {
    paused = true;
    return this;
  }

  @Override
  public ReplayStream resume() {
    paused = false;
    schedule();
    return this;
  }

  @Override
  public ReplayStream fetch(long amount) {
    return resume();
  }

  @Override
  public void cancel() {
    finished = true;
  }

  private void schedule() {
    if (!scheduled && !finished && !paused && handler != null) {
      scheduled = true;
      context.runOnContext(v -> emit());
    }
  }

  private void emit() {
    scheduled = false;
    while (!finished && !paused && next < chunks.size()) {
      handler.handle(chunks.get(next++));
    }
    if (!finished && next == chunks.size()) {
      finished = true;
      if (endHandler != null) {
        endHandler.handle(null);
      }
    }
  }
}
