package ai.poncho.provider.mock;

import ai.poncho.chat.ChatChunk;
import ai.poncho.chat.ChatMessage;
import ai.poncho.chat.ChatStream;
import ai.poncho.chat.ToolCallDelta;
import ai.poncho.error.ErrorKind;
import ai.poncho.error.GatewayError;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import java.util.List;

/**
 * Emits a {@link MockReply} as OpenAI-shaped chunks on timers: a role chunk after the time to first
 * token, content (or tool-call fragments) spaced by the chunk delay, a finish chunk, then a usage chunk.
 * Each chunk is built as it is emitted, so memory does not grow with the reply. Pausing stops
 * production (the pump pauses it when it runs out of credit), which tests observe through the
 * produced-chunk counter.
 */
final class MockStream implements ChatStream {

  private static final int BATCH = 32;

  private final Vertx vertx;
  private final MockReply reply;
  private final MockSettings settings;
  private final String id;
  private final long created;
  private final String model;
  private final Counter produced;
  private final Counter cancelledCounter;
  private final int total;
  private Handler<ChatChunk> handler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;
  private int next;
  private boolean paused;
  private boolean finished;
  private long timer = -1;
  private boolean scheduled;
  private long generation;

  MockStream(Vertx vertx, MockReply reply, MockSettings settings, String id, long created, String model,
             Counter produced, Counter cancelled) {
    this.vertx = vertx;
    this.reply = reply;
    this.settings = settings;
    this.id = id;
    this.created = created;
    this.model = model;
    this.produced = produced;
    this.cancelledCounter = cancelled;
    this.total = reply.pieces() + 3;
  }

  @Override
  public MockStream handler(Handler<ChatChunk> handler) {
    this.handler = handler;
    schedule();
    return this;
  }

  @Override
  public MockStream endHandler(Handler<Void> endHandler) {
    this.endHandler = endHandler;
    return this;
  }

  @Override
  public MockStream exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    return this;
  }

  @Override
  public MockStream pause() {
    paused = true;
    unschedule();
    return this;
  }

  @Override
  public MockStream resume() {
    if (paused) {
      paused = false;
      schedule();
    }
    return this;
  }

  @Override
  public MockStream fetch(long amount) {
    return resume();
  }

  @Override
  public void cancel() {
    if (!finished) {
      finished = true;
      unschedule();
      cancelledCounter.increment();
    }
  }

  private void schedule() {
    if (finished || paused || handler == null || scheduled) {
      return;
    }
    scheduled = true;
    long expected = ++generation;
    long delay = delayBefore(next);
    if (delay == 0) {
      vertx.runOnContext(v -> fire(expected));
    } else {
      timer = vertx.setTimer(delay, t -> fire(expected));
    }
  }

  private long delayBefore(int index) {
    // The time to first token passed before this stream was handed out (MockProvider.stream).
    return isPiece(index) && index >= 2 ? settings.chunkDelayMs() : 0;
  }

  private void fire(long expected) {
    if (expected == generation && scheduled) {
      scheduled = false;
      emit();
    }
  }

  /** A pending zero-delay emission cannot be cancelled, so it is disowned through the generation. */
  private void unschedule() {
    scheduled = false;
    generation++;
    vertx.cancelTimer(timer);
  }

  /** Event 0 is the role chunk, 1..pieces the content, then finish and usage. */
  private boolean isPiece(int index) {
    return index >= 1 && index <= reply.pieces();
  }

  /**
   * Emits the events that are due now, at most a batch, then yields the event loop (a new task) before
   * the next batch, so a fast stream never holds its loop for long. A pause (no credit) stops it at once.
   */
  private void emit() {
    for (int n = 0; n < BATCH && !finished && !paused; n++) {
      emitOne();
      if (next < total && delayBefore(next) > 0) {
        break;
      }
    }
    schedule();
  }

  private void emitOne() {
    int index = next++;
    if (isPiece(index) && settings.failAfterChunks() > 0 && index > settings.failAfterChunks()) {
      finished = true;
      if (exceptionHandler != null) {
        exceptionHandler.handle(GatewayError.of(ErrorKind.SERVER_ERROR, "upstream_stream_error", null,
            "The mock upstream failed after " + settings.failAfterChunks() + " chunks (mock_fail_after_chunks).")
            .toException());
      }
      return;
    }
    handler.handle(event(index));
    if (isPiece(index)) {
      produced.increment();
    }
    if (next == total) {
      finished = true;
      if (endHandler != null) {
        endHandler.handle(null);
      }
    }
  }

  private ChatChunk event(int index) {
    if (index == 0) {
      return ChatChunk.delta(id, created, model, new ChatChunk.Delta(ChatMessage.ASSISTANT,
          reply.toolCall() == null ? "" : null, null), null);
    }
    if (isPiece(index)) {
      int piece = index - 1;
      if (reply.toolCall() == null) {
        return ChatChunk.delta(id, created, model, new ChatChunk.Delta(null, reply.contentChunk(piece), null),
            null);
      }
      ToolCallDelta delta = piece == 0
          ? new ToolCallDelta(0, reply.toolCall().id(), "function", reply.toolCall().name(),
              reply.argumentChunks().get(0))
          : new ToolCallDelta(0, null, null, null, reply.argumentChunks().get(piece));
      return ChatChunk.delta(id, created, model, new ChatChunk.Delta(null, null, List.of(delta)), null);
    }
    if (index == total - 2) {
      return new ChatChunk(id, created, model, List.of(new ChatChunk.Choice(0, new ChatChunk.Delta(null, null, null),
          reply.finishReason(), reply.stopSequence())), null);
    }
    return ChatChunk.usageOnly(id, created, model, reply.usage());
  }
}
