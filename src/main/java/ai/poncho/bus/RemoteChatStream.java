package ai.poncho.bus;

import ai.poncho.cache.CacheControl;
import ai.poncho.chat.ChatChunk;
import ai.poncho.chat.ChatRequest;
import ai.poncho.chat.Ids;
import ai.poncho.cluster.NodeWatch;
import ai.poncho.error.ErrorKind;
import ai.poncho.error.GatewayError;
import ai.poncho.error.GatewayException;
import ai.poncho.logging.RequestLog;
import ai.poncho.security.Caller;
import ai.poncho.tracing.Tracing;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import java.util.ArrayDeque;
import java.util.List;

/**
 * Consumer side of a stream across the event bus (used by the SSE and WebSocket writers). It grants the
 * producer credit only for chunks it has handed on while not paused, so pausing it (a full socket) stops
 * the producer within one window. {@link #cancel()} tells the producer to stop the upstream call.
 */
public final class RemoteChatStream {

  private static final String SINK_PREFIX = "poncho.stream.sink.";

  private final Vertx vertx;
  private final EventBus bus;
  private final int window;
  private final int grantEvery;
  private final long idleTimeoutMs;
  private String streamId = Ids.random("");
  private final ArrayDeque<StreamEvent> queue = new ArrayDeque<>();
  private ContextEndpoint<StreamEvent, RemoteChatStream> sink;
  private GuardedCall<StreamStarted> opening;
  private StreamStarted started;
  private NodeWatch.Watch producerWatch;
  private Handler<ChatChunk> chunkHandler;
  private Handler<StreamEnd> endHandler;
  private Handler<GatewayError> failureHandler;
  private Handler<Void> batchEndHandler;
  /** How many chunks of the {@link StreamChunk} at the head of the queue were handed on already. */
  private int headPosition;
  private boolean paused;
  private boolean done;
  private int consumedSinceGrant;
  private long lastActivity;
  private long idleTimer = -1;

  private RemoteChatStream(Vertx vertx, int window, long idleTimeoutMs) {
    this.vertx = vertx;
    this.bus = vertx.eventBus();
    this.window = window;
    this.grantEvery = Math.max(1, window / 2);
    this.idleTimeoutMs = idleTimeoutMs;
  }

  /**
   * Opens a stream at {@code address} (dispatch or prompt). Fails with a {@link GatewayException} when
   * the request is refused before any chunk (bad request, unknown model, upstream error status). When
   * {@code cancelled} completes (the client left), the stream stops: while it is still opening, the
   * upstream call is cancelled by stream id; once open, through {@link #cancel()}. On a cluster the open
   * is a {@link GuardedCall} (handed to another node if none takes it, each attempt under a new stream
   * id), and once open the producer's node is watched: if it leaves, the stream ends with a
   * {@code node_lost} error.
   */
  public static Future<RemoteChatStream> open(Vertx vertx, String address, String requestId, Caller caller,
                                              ChatRequest request, int window, long openTimeoutMs,
                                              long idleTimeoutMs, Future<Void> cancelled) {
    return open(vertx, address, requestId, caller, CacheControl.DEFAULT, request, window, openTimeoutMs,
        idleTimeoutMs, cancelled);
  }

  /** As {@link #open(Vertx, String, String, Caller, ChatRequest, int, long, long, Future)}, with the request's cache instructions. */
  public static Future<RemoteChatStream> open(Vertx vertx, String address, String requestId, Caller caller,
                                              CacheControl cache, ChatRequest request, int window,
                                              long openTimeoutMs, long idleTimeoutMs, Future<Void> cancelled) {
    RemoteChatStream stream = new RemoteChatStream(vertx, window, idleTimeoutMs);
    cancelled.onComplete(gone -> {
      if (stream.started != null) {
        stream.cancel();
      } else if (stream.opening != null) {
        stream.opening.cancel();
      } else {
        vertx.eventBus().publish(Addresses.DISPATCH_CANCEL, stream.streamId, Tracing.UNTRACED);
      }
    });
    return ContextEndpoint.<StreamEvent, RemoteChatStream>of(vertx, SINK_PREFIX, StreamEvent::streamId,
            RemoteChatStream::onEvent)
        .compose(endpoint -> {
          stream.sink = endpoint;
          StreamOpen open = new StreamOpen(requestId, caller, request, endpoint.address(), stream.streamId,
              window).withCache(cache);
          stream.opening = GuardedCall.request(vertx, address, stream.streamId, (id, watch) -> {
            endpoint.remove(stream.streamId);
            stream.streamId = id;
            endpoint.add(id, stream);
            return open.forAttempt(id, watch);
          }, new DeliveryOptions().setSendTimeout(openTimeoutMs), true);
          return stream.opening.reply();
        })
        .map(reply -> {
          stream.started = reply.body();
          stream.producerWatch = NodeWatch.of(vertx).watch(vertx, stream.started.node(), stream::onProducerLost);
          stream.touch();
          stream.scheduleIdleCheck();
          if (cancelled.isComplete()) {
            stream.cancel();
          }
          return stream;
        })
        .onFailure(failure -> {
          if (stream.sink != null) {
            stream.sink.remove(stream.streamId);
          }
        });
  }

  /** The output check a prompt stream asks its writer to run ({@link StreamStarted#output()}), or null. */
  public io.vertx.core.json.JsonObject outputCheck() {
    return started.output();
  }

  /** The model actually serving this stream (after any fallback). */
  public String model() {
    return started.model();
  }

  /** What the response cache did for this stream ({@code hit}, {@code miss}, {@code bypass}), or null. */
  public String cache() {
    return started.cache();
  }

  /** The nanoseconds the producer waited on upstreams until the stream's first chunk existed. */
  public long upstreamNanos() {
    return started.upstreamNanos();
  }

  public RemoteChatStream handler(Handler<ChatChunk> handler) {
    this.chunkHandler = handler;
    drain();
    return this;
  }

  public RemoteChatStream endHandler(Handler<StreamEnd> handler) {
    this.endHandler = handler;
    drain();
    return this;
  }

  public RemoteChatStream failureHandler(Handler<GatewayError> handler) {
    this.failureHandler = handler;
    drain();
    return this;
  }

  /**
   * Called after the chunks of one producer message (one upstream read) were handed on, or as many of
   * them as a pause let through: a writer may buffer chunks and write them to its socket here, at once.
   */
  public RemoteChatStream batchEndHandler(Handler<Void> handler) {
    this.batchEndHandler = handler;
    return this;
  }

  public RemoteChatStream pause() {
    paused = true;
    return this;
  }

  public RemoteChatStream resume() {
    if (paused) {
      paused = false;
      drain();
      grant();
    }
    return this;
  }

  public boolean isDone() {
    return done;
  }

  /** Stops the stream: the producer cancels the upstream call; no handler is called afterwards. */
  public void cancel() {
    if (done) {
      return;
    }
    close();
    if (started != null) {
      bus.send(started.controlAddress(), StreamControl.cancel(streamId), Tracing.UNTRACED);
    }
  }

  /** The producer's node left the cluster: nothing more will come, so the stream fails now. */
  private void onProducerLost() {
    onEvent(new StreamFailure(streamId, GuardedCall.nodeLost()));
  }

  private void onEvent(StreamEvent event) {
    if (done) {
      return;
    }
    touch();
    queue.add(event);
    drain();
  }

  /**
   * Hands on queued events while not paused. Once the producer has sent its terminal event, the rest
   * (at most one window of chunks) is handed on even while paused, so the stream always ends: a writer
   * whose socket is full buffers that bounded tail instead of leaving the stream open forever.
   */
  private void drain() {
    while (!done && (!paused || terminalQueued()) && chunkHandler != null && endHandler != null
        && failureHandler != null && !queue.isEmpty()) {
      StreamEvent event = queue.peek();
      if (event instanceof StreamChunk message) {
        handChunks(message);
      } else if (event instanceof StreamEnd end) {
        close();
        RequestLog.usage(end.usage());
        endHandler.handle(end);
      } else if (event instanceof StreamFailure failure) {
        close();
        failureHandler.handle(failure.error());
      }
    }
  }

  /** Hands on the chunks of the head message until it is done or the stream is paused (or closed). */
  private void handChunks(StreamChunk message) {
    List<ChatChunk> chunks = message.chunks();
    boolean handed = false;
    while (headPosition < chunks.size() && !done && (!paused || terminalQueued())) {
      consumedSinceGrant++;
      handed = true;
      chunkHandler.handle(chunks.get(headPosition++));
    }
    if (headPosition >= chunks.size() && !done) {
      queue.poll();
      headPosition = 0;
    }
    if (handed && !done && batchEndHandler != null) {
      batchEndHandler.handle(null);
    }
    if (consumedSinceGrant >= grantEvery && !paused) {
      grant();
    }
  }

  private boolean terminalQueued() {
    StreamEvent last = queue.peekLast();
    return last instanceof StreamEnd || last instanceof StreamFailure;
  }

  private void grant() {
    if (!done && consumedSinceGrant > 0 && started != null) {
      bus.send(started.controlAddress(), StreamControl.credit(streamId, consumedSinceGrant), Tracing.UNTRACED);
      consumedSinceGrant = 0;
    }
  }

  private void touch() {
    lastActivity = System.currentTimeMillis();
  }

  /** One timer at a time, re-armed lazily, instead of a timer per chunk. */
  private void scheduleIdleCheck() {
    idleTimer = vertx.setTimer(idleTimeoutMs, id -> {
      if (done) {
        return;
      }
      long idle = System.currentTimeMillis() - lastActivity;
      if (paused || idle < idleTimeoutMs) {
        if (paused) {
          touch();
        }
        scheduleIdleCheck();
        return;
      }
      Handler<GatewayError> handler = failureHandler;
      cancel();
      if (handler != null) {
        handler.handle(GatewayError.of(ErrorKind.TIMEOUT, "stream_timeout", null,
            "The stream produced nothing for " + idleTimeoutMs + " ms."));
      }
    });
  }

  private void close() {
    done = true;
    queue.clear();
    headPosition = 0;
    vertx.cancelTimer(idleTimer);
    sink.remove(streamId);
    if (producerWatch != null) {
      producerWatch.cancel();
    }
  }
}
