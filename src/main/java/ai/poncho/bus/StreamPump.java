package ai.poncho.bus;

import ai.poncho.chat.ChatChunk;
import ai.poncho.chat.ChatStream;
import ai.poncho.chat.FinishReason;
import ai.poncho.chat.Usage;
import ai.poncho.error.ErrorKind;
import ai.poncho.error.Errors;
import ai.poncho.error.GatewayError;
import ai.poncho.tracing.Tracing;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Producer side of a stream across the event bus. Sends a provider's chunks to the consumer's sink
 * while it holds credit; at zero credit it pauses the provider stream, so a slow client pauses the
 * upstream read instead of filling memory. A cancel (client gone) stops the upstream call; a consumer
 * that grants no credit for the stall timeout has its upstream stopped and gets a {@code stream_stalled} error.
 * The chunks of one upstream read go out as one {@link StreamChunk}, sent at the end of that read (or
 * when the credit runs out), so grouping them adds no latency.
 */
public final class StreamPump {

  private static final String CONTROL_PREFIX = "poncho.stream.control.";

  private final Vertx vertx;
  private final EventBus bus;
  private final ChatStream stream;
  private final String sink;
  private final String streamId;
  private final String model;
  private final long stallTimeoutMs;
  private final long startNanos = System.nanoTime();
  private final Promise<StreamOutcome> outcome = Promise.promise();
  private final StreamMeter meter;
  private ContextEndpoint<StreamControl, StreamPump> control;
  private int credits;
  private boolean paused;
  private boolean finished;
  private long stallTimer = -1;
  private long firstChunkNanos;
  /** The provider's id of the answer (its first chunk's), for the attempt's trace span. */
  private String responseId;
  private String finishReason;
  private Usage usage;
  /** Chunks of the current upstream read not sent yet; null when the stream has no read groups. */
  private List<ChatChunk> batch;

  private StreamPump(Vertx vertx, ChatStream stream, StreamOpen open, String model, Duration stallTimeout,
                     StreamMeter meter) {
    this.vertx = vertx;
    this.meter = meter;
    this.bus = vertx.eventBus();
    this.stream = stream;
    this.sink = open.sinkAddress();
    this.streamId = open.streamId();
    this.model = model;
    this.credits = open.window();
    this.stallTimeoutMs = Math.max(1, stallTimeout.toMillis());
  }

  /**
   * Joins the control endpoint of the current context; the caller then replies {@link #started()} to
   * the opener and calls {@link #run()}.
   */
  public static Future<StreamPump> create(Vertx vertx, ChatStream stream, StreamOpen open, String model,
                                          Duration stallTimeout, StreamMeter meter) {
    StreamPump pump = new StreamPump(vertx, stream, open, model, stallTimeout, meter);
    return ContextEndpoint.<StreamControl, StreamPump>of(vertx, CONTROL_PREFIX, StreamControl::streamId,
            StreamPump::onControl)
        .map(endpoint -> {
          pump.control = endpoint;
          endpoint.add(pump.streamId, pump);
          return pump;
        });
  }

  public StreamStarted started() {
    return new StreamStarted(control.address(), model);
  }

  /** Completes when the stream ended, failed or was cancelled. */
  public Future<StreamOutcome> outcome() {
    return outcome.future();
  }

  public void run() {
    if (stream.batchEndHandler(v -> {
      if (!finished) {
        flush();
      }
    })) {
      batch = new ArrayList<>();
    }
    stream.exceptionHandler(this::onFailure);
    stream.endHandler(v -> onEnd());
    stream.handler(this::onChunk);
  }

  private void onChunk(ChatChunk chunk) {
    if (finished) {
      return;
    }
    if (firstChunkNanos == 0 && !chunk.choices().isEmpty()) {
      firstChunkNanos = System.nanoTime() - startNanos;
    }
    if (responseId == null) {
      responseId = chunk.id();
    }
    if (chunk.finishReason() != null) {
      finishReason = chunk.finishReason();
    }
    if (chunk.usage() != null) {
      usage = chunk.usage();
    }
    meter.onChunk(chunk);
    ChatChunk named = model.equals(chunk.model()) ? chunk : chunk.withModel(model);
    if (batch != null) {
      batch.add(named);
    } else {
      bus.send(sink, new StreamChunk(streamId, named), Tracing.UNTRACED);
    }
    if (--credits <= 0 && !paused) {
      flush();
      paused = true;
      stream.pause();
      stallTimer = vertx.setTimer(stallTimeoutMs, id -> onStall());
    }
  }

  /** Sends the chunks of the current upstream read; everything else the pump sends goes after them. */
  private void flush() {
    if (batch != null && !batch.isEmpty()) {
      bus.send(sink, new StreamChunk(streamId, batch), Tracing.UNTRACED);
      batch.clear();
    }
  }

  private void onControl(StreamControl message) {
    if (finished) {
      return;
    }
    if (message.cancel()) {
      cancel();
      return;
    }
    credits += message.credits();
    if (paused && credits > 0) {
      paused = false;
      vertx.cancelTimer(stallTimer);
      stream.resume();
    }
  }

  /** Ends the stream now with {@code error} for the consumer (e.g. this node is shutting down). */
  public void abort(GatewayError error) {
    if (!finished) {
      stream.cancel();
      flush();
      bus.send(sink, new StreamFailure(streamId, error), Tracing.UNTRACED);
      finish(new StreamOutcome(finishReason, usage, error, false, firstChunkNanos, responseId));
    }
  }

  /**
   * The consumer read nothing for the stall timeout: the upstream is stopped and the consumer gets one
   * terminal error naming the real cause, delivered after the chunks it already holds.
   */
  private void onStall() {
    if (!finished && paused) {
      stream.cancel();
      GatewayError error = GatewayError.of(ErrorKind.TIMEOUT, "stream_stalled", null,
          "The client read nothing for " + stallSeconds() + " s, so the stream was stopped.");
      bus.send(sink, new StreamFailure(streamId, error), Tracing.UNTRACED);
      finish(new StreamOutcome(finishReason, usage, error, false, firstChunkNanos, responseId));
    }
  }

  private String stallSeconds() {
    return stallTimeoutMs % 1000 == 0 ? Long.toString(stallTimeoutMs / 1000)
        : BigDecimal.valueOf(stallTimeoutMs, 3).stripTrailingZeros().toPlainString();
  }

  private void cancel() {
    stream.cancel();
    finish(new StreamOutcome(FinishReason.CANCELLED, usage, null, true, firstChunkNanos, responseId));
  }

  /**
   * The stream is metered (limits and budgets) before its end reaches the client, so that the client's
   * next call is checked against it.
   */
  private void onEnd() {
    if (finished) {
      return;
    }
    finished = true;
    flush();
    counted(usage).onComplete(counted -> {
      StreamEnd end = new StreamEnd(streamId, finishReason, usage, model, meter.costUsd(counted.result()));
      meter.settle(counted.result()).onComplete(settled -> {
        bus.send(sink, end, Tracing.UNTRACED);
        finish(new StreamOutcome(finishReason, usage, null, false, firstChunkNanos, responseId));
      });
    });
  }

  /** The provider's usage, or the meter's count (made off the event loop) when it reported none. */
  private Future<Usage> counted(Usage reported) {
    return reported != null ? Future.succeededFuture(reported) : meter.unreported();
  }

  private void onFailure(Throwable failure) {
    if (finished) {
      return;
    }
    GatewayError error = Errors.toGatewayError(failure);
    if (error.status() == ErrorKind.INTERNAL.status()) {
      error = GatewayError.of(ErrorKind.SERVER_ERROR, "upstream_stream_error", null,
          "The upstream stream failed: " + failure.getMessage());
    }
    flush();
    bus.send(sink, new StreamFailure(streamId, error), Tracing.UNTRACED);
    finish(new StreamOutcome(finishReason, usage, error, false, firstChunkNanos, responseId));
  }

  /** A stream that ends without the provider's usage counts what the meter saw. */
  private void finish(StreamOutcome result) {
    finished = true;
    vertx.cancelTimer(stallTimer);
    control.remove(streamId);
    counted(result.usage()).onComplete(counted -> {
      meter.settle(counted.result());
      outcome.complete(result.usage() != null ? result : new StreamOutcome(result.finishReason(), counted.result(),
          result.error(), result.cancelled(), result.firstChunkNanos(), result.responseId()));
    });
  }
}
