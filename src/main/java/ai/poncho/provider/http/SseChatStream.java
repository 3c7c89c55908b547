package ai.poncho.provider.http;

import ai.poncho.chat.ChatChunk;
import ai.poncho.chat.ChatStream;
import ai.poncho.config.ModelConfig;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;

/**
 * A streamed upstream response as a {@link ChatStream}. The stream counts as open only once its first
 * chunk is parsed: until then a failure or the first-token timeout fails {@code opened}, so dispatch
 * may still retry or fall back because the client has received nothing. Pausing pauses the upstream
 * {@link HttpClientResponse}, so backpressure reaches the upstream's TCP connection; cancelling resets
 * the request. The events of one upstream read are parsed first and then handed on together, followed by
 * the batch-end signal, so the consumer can forward them as one message.
 */
final class SseChatStream implements ChatStream {

  /** Chunks parsed ahead of the consumer before the upstream read is paused. */
  private static final int MAX_PENDING = 64;

  private final Vertx vertx;
  private final ModelConfig model;
  private final HttpClientRequest request;
  private final HttpClientResponse response;
  private final WireFormat.StreamTranslator translator;
  private final Promise<ChatStream> opened;
  private final SseParser parser = new SseParser((SseParser.RawListener) this::onEvent);
  private final Deque<ChatChunk> pending = new ArrayDeque<>();
  private final long idleMs;
  private Handler<ChatChunk> handler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;
  private Handler<Void> batchEndHandler;
  private boolean consumerPaused;
  private boolean upstreamPaused;
  private boolean upstreamEnded;
  private boolean finished;
  private UpstreamException failure;
  /*
   * The first-token, total and idle deadlines (System.nanoTime) share one timer, armed for the earliest
   * and re-armed when it fires before a deadline moved later: a read moves the idle deadline without a
   * timer of its own (cancelling and setting one per read cost more than the read's parsing).
   */
  private final long firstTokenDeadline;
  private final long totalDeadline;
  private long idleDeadline;
  private boolean firstTokenArmed = true;
  private boolean idleArmed;
  private long timer = -1;
  private long timerDeadline;

  SseChatStream(Vertx vertx, ModelConfig model, HttpClientRequest request, HttpClientResponse response,
                WireFormat.StreamTranslator translator, Promise<ChatStream> opened, long firstTokenMs, long totalMs) {
    this.vertx = vertx;
    this.model = model;
    this.request = request;
    this.response = response;
    this.translator = translator;
    this.opened = opened;
    this.idleMs = Math.max(1, model.connection().streamIdleTimeout().toMillis());
    long now = System.nanoTime();
    firstTokenDeadline = now + TimeUnit.MILLISECONDS.toNanos(Math.max(1, firstTokenMs));
    totalDeadline = now + TimeUnit.MILLISECONDS.toNanos(Math.max(1, totalMs));
    schedule();
    response.exceptionHandler(cause -> fail(UpstreamErrors.network(model, cause)));
    response.endHandler(v -> onUpstreamEnd());
    response.handler(this::onBuffer);
  }

  private void onBuffer(Buffer buffer) {
    if (finished) {
      return;
    }
    if (opened.future().isComplete()) {
      armIdle();
    }
    try {
      parser.feed(buffer);
    } catch (UpstreamException e) {
      fail(e);
      return;
    } catch (RuntimeException e) {
      fail(UpstreamErrors.malformed(model, e.getMessage()));
      return;
    }
    drain();
  }

  private void onEvent(String event, byte[] data, int from, int to) {
    if (finished || failure != null) {
      return;
    }
    pending.addAll(translator.onEvent(event, data, from, to));
    if (!pending.isEmpty() && !opened.future().isComplete()) {
      firstTokenArmed = false;
      armIdle();
      opened.complete(this);
    }
  }

  private void onUpstreamEnd() {
    if (finished) {
      return;
    }
    try {
      parser.finish();
    } catch (UpstreamException e) {
      fail(e);
      return;
    } catch (RuntimeException e) {
      fail(UpstreamErrors.malformed(model, e.getMessage()));
      return;
    }
    if (!translator.done()) {
      fail(UpstreamErrors.network(model, new IllegalStateException("the stream ended before its last event")));
      return;
    }
    upstreamEnded = true;
    firstTokenArmed = false;
    opened.tryComplete(this);
    drain();
  }

  private void fail(UpstreamException cause) {
    if (finished || failure != null) {
      return;
    }
    cancelTimers();
    boolean beforeOpen = !opened.future().isComplete();
    // State first: resetting the request re-enters through the response's exception handler.
    finished = beforeOpen;
    failure = cause;
    request.reset();
    if (beforeOpen) {
      opened.fail(cause);
      return;
    }
    drain();
  }

  private void drain() {
    boolean handed = false;
    while (handler != null && !consumerPaused && !pending.isEmpty() && !finished) {
      handler.handle(pending.poll());
      handed = true;
    }
    if (handed && batchEndHandler != null && !finished) {
      batchEndHandler.handle(null);
    }
    if (handler != null && pending.isEmpty() && !finished) {
      if (failure != null) {
        finished = true;
        if (exceptionHandler != null) {
          exceptionHandler.handle(failure.toGatewayException());
        }
      } else if (upstreamEnded) {
        finished = true;
        cancelTimers();
        if (endHandler != null) {
          endHandler.handle(null);
        }
      }
    }
    flow();
  }

  /** Before the open, parse freely (the first chunk decides the open); after it, read only for a consumer. */
  private void flow() {
    boolean pause = !finished && !upstreamEnded && opened.future().isComplete()
        && (handler == null || consumerPaused || pending.size() >= MAX_PENDING);
    if (pause && !upstreamPaused) {
      upstreamPaused = true;
      idleArmed = false;
      response.pause();
    } else if (!pause && upstreamPaused) {
      upstreamPaused = false;
      armIdle();
      response.resume();
    }
  }

  /** A stream silent for the idle timeout is stalled; time spent paused by our own consumer does not count. */
  private void armIdle() {
    idleArmed = !finished && !upstreamEnded && !upstreamPaused;
    if (idleArmed) {
      idleDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(idleMs);
      if (timer < 0 || idleDeadline < timerDeadline) {
        schedule();
      }
    }
  }

  /** The earliest deadline still armed. */
  private long nextDeadline() {
    long next = totalDeadline;
    if (firstTokenArmed) {
      next = Math.min(next, firstTokenDeadline);
    }
    return idleArmed ? Math.min(next, idleDeadline) : next;
  }

  private void schedule() {
    vertx.cancelTimer(timer);
    timerDeadline = nextDeadline();
    long delayMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(timerDeadline - System.nanoTime() + 999_999));
    timer = vertx.setTimer(delayMs, id -> onTimer());
  }

  /** Fails with the earliest deadline that passed, or re-arms for the next one. */
  private void onTimer() {
    timer = -1;
    if (finished || failure != null) {
      return;
    }
    long now = System.nanoTime();
    long next = nextDeadline();
    if (next - now > 0) {
      schedule();
    } else if (firstTokenArmed && next == firstTokenDeadline) {
      fail(UpstreamErrors.timeout(model, "no first token within " + model.connection().firstTokenTimeout()));
    } else if (idleArmed && next == idleDeadline) {
      fail(UpstreamErrors.timeout(model, "the stream stalled for " + model.connection().streamIdleTimeout()));
    } else {
      fail(UpstreamErrors.timeout(model, "total time over " + model.timeout()));
    }
  }

  private void cancelTimers() {
    firstTokenArmed = false;
    idleArmed = false;
    vertx.cancelTimer(timer);
    timer = -1;
  }

  @Override
  public SseChatStream handler(Handler<ChatChunk> handler) {
    this.handler = handler;
    drain();
    return this;
  }

  @Override
  public SseChatStream endHandler(Handler<Void> endHandler) {
    this.endHandler = endHandler;
    return this;
  }

  @Override
  public SseChatStream exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    return this;
  }

  @Override
  public boolean batchEndHandler(Handler<Void> handler) {
    this.batchEndHandler = handler;
    return true;
  }

  @Override
  public SseChatStream pause() {
    consumerPaused = true;
    flow();
    return this;
  }

  @Override
  public SseChatStream resume() {
    consumerPaused = false;
    drain();
    return this;
  }

  @Override
  public SseChatStream fetch(long amount) {
    return resume();
  }

  @Override
  public void cancel() {
    if (!finished) {
      finished = true;
      cancelTimers();
      request.reset();
    }
  }
}
