package ai.poncho.ws;

import ai.poncho.bus.RemoteChatStream;
import ai.poncho.bus.StreamEnd;
import ai.poncho.prompt.StreamedOutput;
import ai.poncho.chat.ChatChunk;
import ai.poncho.chat.FinishReason;
import ai.poncho.error.ErrorKind;
import ai.poncho.error.Errors;
import ai.poncho.error.GatewayError;
import ai.poncho.error.GatewayException;
import ai.poncho.http.GatewayOverhead;
import ai.poncho.limits.EdgeLimits;
import ai.poncho.logging.RequestLog;
import ai.poncho.metrics.InFlight;
import ai.poncho.security.Caller;
import ai.poncho.security.Permissions;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.ContextInternal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client socket: reads its frames, runs its generations over the event bus interleaved on the one
 * socket, and tears everything down when it closes. A full write queue pauses every stream feeding the
 * socket (and through the bus credits, their upstreams) until it drains.
 */
final class WsSession {

  private static final Logger LOG = LoggerFactory.getLogger(WsSession.class);

  private final Vertx vertx;
  private final ServerWebSocket ws;
  private final String connectionId;
  private final WsConfig config;
  private final StreamSettings streams;
  private final KeepAlive keepAlive;
  private final MessageAssembler assembler;
  private final Map<String, Generation> inFlight = new HashMap<>();
  private final Caller caller;
  private final EdgeLimits limits;
  /** The node's count of generations in flight (gauge poncho_ws_generations_in_flight). */
  private final InFlight generations;
  private final GatewayOverhead overhead;
  private final GenerationLog generationLog;
  private final Promise<Void> closed = Promise.promise();
  private boolean writesPaused;
  private boolean closing;
  private boolean draining;
  private int protocolErrors;
  /** Generations started on this socket, for its access line. */
  private int started;
  private final long opened = System.nanoTime();

  /** How generations are opened on the bus: window and timeouts shared with the SSE path. */
  record StreamSettings(int window, long openTimeoutMs, long idleTimeoutMs) {
  }

  WsSession(Vertx vertx, ServerWebSocket ws, String connectionId, Caller caller, WsConfig config,
            StreamSettings streams, EdgeLimits limits, InFlight generations, GatewayOverhead overhead,
            GenerationLog generationLog) {
    this.generationLog = generationLog;
    this.vertx = vertx;
    this.generations = generations;
    this.overhead = overhead;
    this.limits = limits;
    this.ws = ws;
    this.connectionId = connectionId;
    this.caller = caller;
    this.config = config;
    this.streams = streams;
    this.keepAlive = new KeepAlive(vertx, ws, config, () -> close(CloseCodes.GOING_AWAY, "keep-alive timeout"));
    this.assembler = new MessageAssembler(config.maxMessageSize(), this::onMessage,
        violation -> close(violation.code(), violation.reason()));
  }

  void start() {
    ws.frameHandler(frame -> {
      keepAlive.touch();
      assembler.frame(frame);
    });
    ws.pongHandler(data -> keepAlive.touch());
    ws.drainHandler(v -> resumeAll());
    ws.exceptionHandler(this::onSocketFailure);
    ws.closeHandler(v -> onClosed());
    keepAlive.start();
  }

  /** Completes once the socket is closed. */
  Future<Void> closed() {
    return closed.future();
  }

  /** Logs the handshake's access line once the socket is gone (an upgraded request never ends as HTTP). */
  void logClosed() {
    generationLog.socketClosed(opened, started, ws.closeStatusCode());
  }

  /**
   * Graceful shutdown: new generations are refused; the socket closes with 1001 once those in flight
   * finish, or when the deadline passes, cancelling what is left.
   */
  Future<Void> shutdown(long deadlineMs) {
    draining = true;
    if (inFlight.isEmpty()) {
      close(CloseCodes.GOING_AWAY, "server shutting down");
    } else {
      long timer = vertx.setTimer(Math.max(1, deadlineMs), id -> {
        cancelAll(true);
        close(CloseCodes.GOING_AWAY, "server shutting down");
      });
      closed.future().onComplete(done -> vertx.cancelTimer(timer));
    }
    return closed.future();
  }

  /**
   * The frame decoder reports frames over the size limit (and other RFC 6455 violations) here, before
   * any frame reaches us; answering with its close code (1009, 1007, 1002) tells the client why.
   */
  private void onSocketFailure(Throwable failure) {
    if (failure instanceof CorruptedWebSocketFrameException corrupted) {
      close((short) corrupted.closeStatus().code(), corrupted.closeStatus().reasonText());
    } else {
      LOG.debug("{} socket error: {}", connectionId, failure.getMessage());
    }
  }

  private void onMessage(String text) {
    ClientFrame frame;
    try {
      frame = ClientFrames.parse(text);
    } catch (FrameError error) {
      if (error.protocolViolation() && ++protocolErrors > config.maxProtocolErrors()) {
        close(CloseCodes.POLICY_VIOLATION, "too many malformed frames");
        return;
      }
      send(ServerFrames.error(error.id(), error.error()));
      return;
    } catch (RuntimeException unexpected) {
      LOG.warn("{} could not read a frame", connectionId, unexpected);
      send(ServerFrames.error(null, Errors.toGatewayError(unexpected)));
      return;
    }
    if (frame instanceof ClientFrame.Generate generate) {
      generate(generate);
    } else if (frame instanceof ClientFrame.Cancel cancel) {
      cancel(cancel.id());
    } else {
      send(ServerFrames.PONG);
    }
  }

  private void generate(ClientFrame.Generate frame) {
    String id = frame.id();
    if (draining) {
      send(ServerFrames.error(id, GatewayError.of(ErrorKind.SERVICE_UNAVAILABLE, "shutting_down", null,
          "The server is shutting down; open a new connection.")));
      return;
    }
    if (inFlight.containsKey(id)) {
      if (++protocolErrors > config.maxProtocolErrors()) {
        close(CloseCodes.POLICY_VIOLATION, "too many malformed frames");
        return;
      }
      send(ServerFrames.error(id, GatewayError.of(ErrorKind.INVALID_REQUEST, "duplicate_id", "id",
          "A generation with id '" + id + "' is already in flight on this socket.")));
      return;
    }
    if (inFlight.size() >= config.maxInFlight()) {
      send(ServerFrames.error(id, GatewayError.of(ErrorKind.RATE_LIMIT, "too_many_in_flight", null,
          "At most " + config.maxInFlight() + " generations may be in flight on one socket.")));
      return;
    }
    try {
      Permissions.requireModels(caller, frame.request());
    } catch (GatewayException denied) {
      send(ServerFrames.error(id, denied.error()));
      return;
    }
    // Each generation runs on a duplicate of the socket's context carrying its own log fields, so this
    // node's lines of a generation name it (as the dispatch node's do), not the handshake request.
    Generation generation = new Generation(id, ((ContextInternal) vertx.getOrCreateContext()).duplicate());
    inFlight.put(id, generation);
    generations.add(1);
    started++;
    String requestId = connectionId + ":" + id;
    generation.context.dispatch(v -> {
      RequestLog.enter(requestId, caller.keyId(), frame.request().model());
      open(generation, requestId, frame);
    });
  }

  private void open(Generation generation, String requestId, ClientFrame.Generate frame) {
    String id = generation.id;
    // A generation over a limit gets an error frame with the HTTP API's code; the socket stays open.
    limits.admit(caller, frame.request().toJson())
        .compose(admission -> {
          generation.admission = admission;
          if (generation.cancelled || inFlight.get(id) != generation) {
            generation.release();
          }
          return RemoteChatStream.open(vertx, frame.address(), requestId, caller, frame.cache(),
              frame.request(), streams.window(), streams.openTimeoutMs(), streams.idleTimeoutMs(),
              generation.cancelled());
        })
        .onComplete(opened -> {
          if (opened.failed()) {
            if (!generation.cancelled) {
              failed(generation, Errors.toGatewayError(opened.cause()));
            }
          } else if (generation.cancelled) {
            opened.result().cancel();
          } else {
            attach(generation, opened.result());
          }
        });
  }

  private void attach(Generation generation, RemoteChatStream stream) {
    generation.stream = stream;
    if (writesPaused) {
      stream.pause();
    }
    stream.failureHandler(error -> failed(generation, error));
    StreamedOutput output = StreamedOutput.of(stream.outputCheck());
    stream.endHandler((StreamEnd end) -> finish(generation, ServerFrames.done(generation.id, end, stream.cache(),
        output == null ? null : output.result()),
        GenerationLog.Outcome.done(end.finishReason(), end.model(), end.usage(), stream.cache())));
    stream.handler((ChatChunk chunk) -> {
      if (output != null) {
        output.add(chunk);
      }
      String frame = ServerFrames.chunk(generation.id, chunk);
      if (frame != null) {
        send(frame);
        if (!generation.framed) {
          generation.framed = true;
          overhead.firstFrame(generation.arrived, stream);
        }
        if (ws.writeQueueFull()) {
          pauseAll();
        }
      }
    });
  }

  private void cancel(String id) {
    Generation generation = inFlight.get(id);
    if (generation == null || generation.cancelled) {
      send(ServerFrames.error(id, GatewayError.of(ErrorKind.INVALID_REQUEST, "unknown_id", "id",
          "No generation with id '" + id + "' is in flight on this socket.")));
      return;
    }
    String model = generation.cancel();
    finish(generation, ServerFrames.done(id, FinishReason.CANCELLED, null, model), GenerationLog.Outcome.cancelled(model));
  }

  private void failed(Generation generation, GatewayError error) {
    finish(generation, ServerFrames.error(generation.id, error),
        GenerationLog.Outcome.failed(error.status(), error.code()));
  }

  /** Ends a generation with its last frame; during a shutdown the last one to end closes the socket. */
  private void finish(Generation generation, String lastFrame, GenerationLog.Outcome outcome) {
    generation.release();
    if (inFlight.remove(generation.id) == null) {
      return;
    }
    generations.add(-1);
    send(lastFrame);
    generationLog.ended(generation, outcome);
    if (draining && inFlight.isEmpty()) {
      close(CloseCodes.GOING_AWAY, "server shutting down");
    }
  }

  private void cancelAll(boolean tellClient) {
    for (Generation generation : new ArrayList<>(inFlight.values())) {
      generation.release();
      String model = generation.cancel();
      if (tellClient) {
        send(ServerFrames.done(generation.id, FinishReason.CANCELLED, null, model));
      }
      generationLog.ended(generation, GenerationLog.Outcome.cancelled(model));
    }
    generations.add(-inFlight.size());
    inFlight.clear();
  }

  private void pauseAll() {
    writesPaused = true;
    inFlight.values().forEach(generation -> {
      if (generation.stream != null) {
        generation.stream.pause();
      }
    });
  }

  private void resumeAll() {
    writesPaused = false;
    for (Generation generation : new ArrayList<>(inFlight.values())) {
      if (generation.stream != null) {
        generation.stream.resume();
      }
      if (writesPaused) {
        return;
      }
    }
  }

  private void send(String frame) {
    if (!closing && !ws.isClosed()) {
      ws.writeTextMessage(frame);
    }
  }

  private void close(short code, String reason) {
    if (closing) {
      return;
    }
    closing = true;
    LOG.debug("{} closing with {}: {}", connectionId, code, reason);
    cancelAll(false);
    keepAlive.stop();
    ws.close(code, reason).onComplete(done -> closed.tryComplete());
  }

  private void onClosed() {
    closing = true;
    cancelAll(false);
    keepAlive.stop();
    closed.tryComplete();
  }
}
