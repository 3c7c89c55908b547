package ai.poncho.ws;

import ai.poncho.bus.RemoteChatStream;
import ai.poncho.limits.EdgeLimits;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.ContextInternal;

/**
 * One in-flight generation of a socket. Cancelling it before its stream is open stops the upstream
 * call while it opens (through {@link #cancelled()}); once open, the stream itself is cancelled.
 */
final class Generation {

  final String id;
  /** Its own duplicate of the socket's context, holding its log fields. */
  final ContextInternal context;
  /** When its chat frame arrived (System.nanoTime), for the gateway-overhead metric. */
  final long arrived = System.nanoTime();
  /** Whether its first chunk frame went out. */
  boolean framed;
  RemoteChatStream stream;
  boolean cancelled;
  /** Its rate-limit slot and token estimate, released once when it ends. */
  EdgeLimits.Admission admission = EdgeLimits.Admission.NONE;
  private final Promise<Void> cancelSignal = Promise.promise();

  Generation(String id, ContextInternal context) {
    this.id = id;
    this.context = context;
  }

  /** Completes when the generation is cancelled; the stream opener stops the upstream call on it. */
  Future<Void> cancelled() {
    return cancelSignal.future();
  }

  void release() {
    EdgeLimits.Admission held = admission;
    admission = EdgeLimits.Admission.NONE;
    held.release();
  }

  /** Stops the upstream; returns the serving model, if known yet. */
  String cancel() {
    cancelled = true;
    cancelSignal.tryComplete();
    if (stream == null) {
      return null;
    }
    stream.cancel();
    return stream.model();
  }
}
