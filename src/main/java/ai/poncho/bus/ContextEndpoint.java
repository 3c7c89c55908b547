package ai.poncho.bus;

import ai.poncho.chat.Ids;
import ai.poncho.logging.RequestLog;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * One event-bus consumer per event-loop context that routes messages to the streams of that context by
 * stream id. Registering a consumer per stream would cost a cluster-wide registration (a Hazelcast
 * write) for every stream; this costs one per context, and handlers still run on the stream's own
 * event loop. Only used from its context, so the routing table needs no locking.
 */
final class ContextEndpoint<M, S> {

  private final String address;
  private final Map<String, Route<S>> streams = new HashMap<>();
  private final MessageConsumer<M> consumer;

  private ContextEndpoint(Vertx vertx, String prefix, Function<M, String> streamId, Dispatch<M, S> dispatch) {
    this.address = prefix + Ids.random("");
    this.consumer = vertx.eventBus().consumer(address, (Message<M> message) -> {
      Route<S> route = streams.get(streamId.apply(message.body()));
      if (route != null) {
        // The message runs on a new duplicate of the context that registered this consumer, which may be
        // another request's: the stream's own log fields replace what it inherited.
        RequestLog.enter(route.log());
        dispatch.deliver(route.stream(), message.body());
      }
    });
  }

  /** A stream and the log fields of the request it belongs to. */
  private record Route<S>(S stream, RequestLog log) {
  }

  interface Dispatch<M, S> {
    void deliver(S stream, M message);
  }

  /**
   * The endpoint of the current context, registering it on first use; {@code prefix} is its key there.
   * The consumer is registered on the event loop's own context, not on the duplicate of the request that
   * happens to come first, and the caller continues on its own context: otherwise every later request's
   * callbacks would run on that first request's duplicate, logging with its fields and its trace.
   */
  @SuppressWarnings("unchecked")
  static <M, S> Future<ContextEndpoint<M, S>> of(Vertx vertx, String prefix, Function<M, String> streamId,
                                                  Dispatch<M, S> dispatch) {
    ContextInternal caller = (ContextInternal) vertx.getOrCreateContext();
    ContextInternal base = caller.unwrap();
    Future<ContextEndpoint<M, S>> endpoint = base.get(prefix);
    if (endpoint == null) {
      Promise<ContextEndpoint<M, S>> registered = base.promise();
      base.dispatch(() -> {
        ContextEndpoint<M, S> created = new ContextEndpoint<>(vertx, prefix, streamId, dispatch);
        created.consumer.completion().map(created).onComplete(registered);
      });
      endpoint = registered.future().onFailure(failure -> base.remove(prefix));
      base.put(prefix, endpoint);
    }
    Promise<ContextEndpoint<M, S>> own = caller.promise();
    endpoint.onComplete(own);
    return own.future();
  }

  String address() {
    return address;
  }

  /** Routes {@code id} to {@code stream}, whose messages then log with the current request's fields. */
  void add(String id, S stream) {
    streams.put(id, new Route<>(stream, RequestLog.current()));
  }

  void remove(String id) {
    streams.remove(id);
  }
}
