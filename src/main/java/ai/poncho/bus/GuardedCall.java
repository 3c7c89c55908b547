package ai.poncho.bus;

import ai.poncho.cluster.NodeWatch;
import ai.poncho.error.ErrorKind;
import ai.poncho.error.Errors;
import ai.poncho.error.GatewayError;
import ai.poncho.provider.ProviderCall;
import ai.poncho.tracing.Tracing;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import java.util.function.BiFunction;

/**
 * A request to a verticle that may run on another cluster node, made so that it never waits on a dead
 * node. The clustered bus neither fails a request whose handler's node died nor one sent to a node that
 * died a moment ago (the write fails, the reply never comes), so each attempt carries a watch address
 * and the taker answers it with an {@link Accepted} before any upstream call:
 * <ul>
 *   <li>accepted: the taker's node is watched; if it leaves, the call fails at once with 502
 *       {@code node_lost} (it may have reached the upstream, so it is not repeated);</li>
 *   <li>not accepted within {@code cluster.accept_timeout}, or handed back by a draining node
 *       ({@code node_unavailable}): it never reached an upstream, so it is abandoned (its id published on
 *       {@link Addresses#DISPATCH_CANCEL}, in case a slow node still has it) and sent again under a new
 *       id, up to {@code cluster.handoff_attempts} times, which reaches a live node once the cluster has
 *       dropped the dead one; then 503 {@code no_node_available}. When a node leaves, the attempts not
 *       yet accepted are re-sent at once (they most likely went to it).</li>
 * </ul>
 * Off a cluster it is a plain request.
 */
public final class GuardedCall<T> {

  private static final String WATCH_PREFIX = "poncho.watch.";
  /** The code of a refusal by a node that cannot take the request (draining) or could not place it: the caller hands it to another node. */
  public static final String HANDED_BACK = "node_unavailable";

  private final Vertx vertx;
  private final String address;
  private final String baseId;
  private final BiFunction<String, String, Object> body;
  private final DeliveryOptions delivery;
  private final long acceptTimeoutMs;
  private final int attempts;
  private final Promise<Message<T>> result = Promise.promise();
  private ContextEndpoint<Accepted, GuardedCall<?>> endpoint;
  private String id;
  private int attempt;
  private boolean accepted;
  private boolean cancelled;
  private long timer = -1;
  private NodeWatch.Watch watch;
  private NodeWatch.Watch anyLeft;

  private GuardedCall(Vertx vertx, String address, String baseId, BiFunction<String, String, Object> body,
                      DeliveryOptions delivery, boolean handOff) {
    this.vertx = vertx;
    this.address = address;
    this.baseId = baseId;
    this.id = baseId;
    this.body = body;
    this.delivery = delivery;
    NodeWatch nodes = NodeWatch.of(vertx);
    this.acceptTimeoutMs = nodes.acceptTimeoutMs();
    this.attempts = handOff ? nodes.handoffAttempts() : 1;
  }

  /**
   * Sends {@code body.apply(attemptId, watchAddress)} to {@code address}; the first attempt's id is
   * {@code id}, later ones {@code id~2}, {@code id~3}… (the watch address is null off a cluster).
   * Without {@code handOff} there is one attempt only, for forwarders whose id must not change (a
   * stream's id tags its chunks).
   */
  public static <T> GuardedCall<T> request(Vertx vertx, String address, String id,
                                           BiFunction<String, String, Object> body, DeliveryOptions delivery,
                                           boolean handOff) {
    GuardedCall<T> call = new GuardedCall<>(vertx, address, id, body, delivery, handOff);
    if (!vertx.isClustered()) {
      vertx.eventBus().<T>request(address, body.apply(id, null), delivery).onComplete(call::complete);
      return call;
    }
    ContextEndpoint.<Accepted, GuardedCall<?>>of(vertx, WATCH_PREFIX, Accepted::id, GuardedCall::onAccepted)
        .onSuccess(created -> {
          call.endpoint = created;
          call.send();
        })
        .onFailure(call.result::tryFail);
    return call;
  }

  /** The id of the current attempt: the one a cancel must name. */
  public String id() {
    return id;
  }

  public Future<Message<T>> reply() {
    return result.future();
  }

  /**
   * The caller gave up (its client left): the attempt in flight is cancelled and none follows. Its
   * reply still completes this call, so a stream that opened anyway can be stopped by its consumer.
   */
  public void cancel() {
    if (!cancelled && !result.future().isComplete()) {
      cancelled = true;
      vertx.eventBus().publish(Addresses.DISPATCH_CANCEL, id, Tracing.UNTRACED);
    }
  }

  /** Sends the next attempt, unless the caller gave up meanwhile. */
  private void sendAgain() {
    if (cancelled) {
      result.tryFail(ProviderCall.CANCELLED.toException());
    } else {
      send();
    }
  }

  private void send() {
    attempt++;
    String attemptId = attempt == 1 ? baseId : baseId + "~" + attempt;
    id = attemptId;
    accepted = false;
    endpoint.add(attemptId, this);
    timer = vertx.setTimer(acceptTimeoutMs, t -> onAcceptTimeout(attemptId));
    anyLeft = NodeWatch.of(vertx).watchAny(vertx, () -> onSomeNodeLeft(attemptId));
    vertx.eventBus().<T>request(address, body.apply(attemptId, endpoint.address()), delivery)
        .onComplete(reply -> onReply(attemptId, reply));
  }

  private boolean current(String attemptId) {
    return attemptId.equals(id) && !result.future().isComplete();
  }

  private void onAccepted(Accepted message) {
    String attemptId = message.id();
    if (!current(attemptId) || accepted) {
      return;
    }
    accepted = true;
    vertx.cancelTimer(timer);
    anyLeft.cancel();
    watch = NodeWatch.of(vertx).watch(vertx, message.node(), () -> onNodeLost(attemptId));
  }

  private void onReply(String attemptId, AsyncResult<Message<T>> reply) {
    if (!current(attemptId)) {
      return;
    }
    if (reply.failed() && HANDED_BACK.equals(Errors.toGatewayError(reply.cause()).code())
        && attempt < attempts) {
      cleanup();
      sendAgain();
      return;
    }
    cleanup();
    complete(reply);
  }

  private void complete(AsyncResult<Message<T>> reply) {
    if (reply.succeeded()) {
      result.tryComplete(reply.result());
    } else {
      result.tryFail(reply.cause());
    }
  }

  private void onAcceptTimeout(String attemptId) {
    if (!current(attemptId) || accepted) {
      return;
    }
    cleanup();
    vertx.eventBus().publish(Addresses.DISPATCH_CANCEL, attemptId, Tracing.UNTRACED);
    if (attempt < attempts || cancelled) {
      sendAgain();
      return;
    }
    result.tryFail(GatewayError.of(ErrorKind.SERVICE_UNAVAILABLE, "no_node_available", null,
        "No cluster node took the request (" + attempt + " attempts, " + acceptTimeoutMs
            + " ms each).").toException());
  }

  /**
   * A node left while this attempt was not yet accepted: it was most likely sent to that node, so it is
   * re-sent now (the bus routes only to live nodes by then) rather than after the accept timeout.
   */
  private void onSomeNodeLeft(String attemptId) {
    if (!current(attemptId) || accepted) {
      return;
    }
    cleanup();
    vertx.eventBus().publish(Addresses.DISPATCH_CANCEL, attemptId, Tracing.UNTRACED);
    if (attempts == 1) {
      // A forwarder that must keep its id gives the request back to its own caller, which re-sends it.
      result.tryFail(handBack("The node the request went to left the cluster.").toException());
    } else {
      sendAgain();
    }
  }

  private void onNodeLost(String attemptId) {
    if (!current(attemptId)) {
      return;
    }
    cleanup();
    result.tryFail(nodeLost().toException());
  }

  /** A refusal that tells the caller to give the request to another node: nothing of it has run. */
  public static GatewayError handBack(String message) {
    return GatewayError.of(ErrorKind.SERVICE_UNAVAILABLE, HANDED_BACK, null, message);
  }

  /** The error of a call or stream whose node left the cluster while it ran there. */
  public static GatewayError nodeLost() {
    return GatewayError.of(ErrorKind.SERVER_ERROR, "node_lost", null,
        "The cluster node serving this request left the cluster before it finished.");
  }

  private void cleanup() {
    vertx.cancelTimer(timer);
    if (endpoint != null) {
      endpoint.remove(id);
    }
    if (watch != null) {
      watch.cancel();
      watch = null;
    }
    if (anyLeft != null) {
      anyLeft.cancel();
    }
  }
}
