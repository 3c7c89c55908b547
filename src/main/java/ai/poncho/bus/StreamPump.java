package ai.poncho.bus;

import ai.poncho.chat.ChatChunk;
import ai.poncho.chat.ChatStream;
import ai.poncho.chat.FinishReason;
import ai.poncho.chat.Ids;
import ai.poncho.chat.Usage;
import ai.poncho.error.ErrorKind;
import ai.poncho.error.Errors;
import ai.poncho.error.GatewayError;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import java.time.Duration;

/**
 * Producer side of a stream across the event bus. Sends a provider's chunks to the consumer's sink
 * while it holds credit; at zero credit it pauses the provider stream, so a slow client pauses the
 * upstream read instead of filling memory. A cancel (client gone) stops the upstream call; a consumer
 * that grants no credit for the stall timeout is treated as gone.
 */
public final class StreamPump {

  private final Vertx vertx;
  private final EventBus bus;
  private final ChatStream stream;
  private final String sink;
  private final String model;
  private final long stallTimeoutMs;
  private final long startNanos = System.nanoTime();
  private final Promise<StreamOutcome> outcome = Promise.promise();
  private final String controlAddress = Addresses.STREAM_CONTROL_PREFIX + Ids.random("");
  private MessageConsumer<StreamControl> control;
  private int credits;
  private boolean paused;
  private boolean finished;
  private long stallTimer = -1;
  private long firstChunkNanos;
  private String finishReason;
  private Usage usage;

  private StreamPump(Vertx vertx, ChatStream stream, StreamOpen open, String model, Duration stallTimeout) {
    this.vertx = vertx;
    this.bus = vertx.eventBus();
    this.stream = stream;
    this.sink = open.sinkAddress();
    this.model = model;
    this.credits = open.window();
    this.stallTimeoutMs = Math.max(1, stallTimeout.toMillis());
  }

  /**
   * Registers the control address; the caller then replies {@link #started()} to the opener and calls
   * {@link #run()}.
   */
  public static Future<StreamPump> create(Vertx vertx, ChatStream stream, StreamOpen open, String model,
                                          Duration stallTimeout) {
    StreamPump pump = new StreamPump(vertx, stream, open, model, stallTimeout);
    pump.control = vertx.eventBus().consumer(pump.controlAddress, pump::onControl);
    return pump.control.completion().map(pump);
  }

  public StreamStarted started() {
    return new StreamStarted(controlAddress, model);
  }

  /** Completes when the stream ended, failed or was cancelled. */
  public Future<StreamOutcome> outcome() {
    return outcome.future();
  }

  public void run() {
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
    if (chunk.finishReason() != null) {
      finishReason = chunk.finishReason();
    }
    if (chunk.usage() != null) {
      usage = chunk.usage();
    }
    bus.send(sink, model.equals(chunk.model()) ? chunk : chunk.withModel(model));
    if (--credits <= 0 && !paused) {
      paused = true;
      stream.pause();
      stallTimer = vertx.setTimer(stallTimeoutMs, id -> onStall());
    }
  }

  private void onControl(Message<StreamControl> message) {
    StreamControl control = message.body();
    if (finished) {
      return;
    }
    if (control.cancel()) {
      cancel();
      return;
    }
    credits += control.credits();
    if (paused && credits > 0) {
      paused = false;
      vertx.cancelTimer(stallTimer);
      stream.resume();
    }
  }

  private void onStall() {
    if (!finished && paused) {
      cancel();
    }
  }

  private void cancel() {
    stream.cancel();
    finish(new StreamOutcome(FinishReason.CANCELLED, usage, null, true, firstChunkNanos));
  }

  private void onEnd() {
    if (finished) {
      return;
    }
    bus.send(sink, new StreamEnd(finishReason, usage, model));
    finish(new StreamOutcome(finishReason, usage, null, false, firstChunkNanos));
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
    bus.send(sink, new StreamFailure(error));
    finish(new StreamOutcome(finishReason, usage, error, false, firstChunkNanos));
  }

  private void finish(StreamOutcome result) {
    finished = true;
    vertx.cancelTimer(stallTimer);
    control.unregister();
    outcome.complete(result);
  }
}
