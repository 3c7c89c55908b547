package ai.poncho.logging;

import ai.poncho.chat.Usage;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.spi.context.storage.ContextLocal;

/**
 * The correlation fields of one request ({@code request_id}, {@code key_id}, {@code model}) in the
 * Vert.x context local data of the request's duplicated context, so they follow it through every
 * callback and timer on that context (thread locals would not: one event loop interleaves many
 * requests). A bus consumer starts each message on a new duplicate, so the verticle that takes a
 * request {@link #enter}s the fields the message carries (request id, caller, model). The access log
 * reads what the request consumed from here too, since streams report usage off the HTTP handler.
 */
public final class RequestLog {

  /** Registered by {@link LoggingServiceProvider} before the first Vert.x instance sizes its locals. */
  static final ContextLocal<RequestLog> LOCAL = ContextLocal.registerLocal(RequestLog.class);

  private final String requestId;
  private volatile String keyId;
  private volatile String model;
  private volatile Usage usage;

  private RequestLog(String requestId, String keyId, String model) {
    this.requestId = requestId;
    this.keyId = keyId;
    this.model = model;
  }

  /**
   * Starts the fields of a request on the current duplicated context (replacing whatever that context
   * inherited) and returns them. Off a duplicated context (a verticle's own context, no context) it
   * sets nothing: those contexts are shared by many requests.
   */
  public static RequestLog enter(String requestId, String keyId, String model) {
    RequestLog log = new RequestLog(requestId, keyId, model);
    enter(log);
    return log;
  }

  /** Makes {@code log} (null: none) the fields of the current duplicated context. */
  public static void enter(RequestLog log) {
    Context context = Vertx.currentContext();
    if (context instanceof ContextInternal internal && internal.isDuplicate()) {
      if (log == null) {
        context.removeLocal(LOCAL);
      } else {
        context.putLocal(LOCAL, log);
      }
    }
  }

  /** The fields of the request running on the current context, or null. */
  public static RequestLog current() {
    Context context = Vertx.currentContext();
    return context instanceof ContextInternal internal && internal.isDuplicate() ? context.getLocal(LOCAL) : null;
  }

  /** Names the caller's key on the current request, once authentication knows it. */
  public static void keyId(String keyId) {
    RequestLog log = current();
    if (log != null) {
      log.keyId = keyId;
    }
  }

  /** Names the requested model on the current request, once its body is read. */
  public static void model(String model) {
    RequestLog log = current();
    if (log != null && model != null) {
      log.model = model;
    }
  }

  /** Records the usage the provider reported for the current request, for the access log. */
  public static void usage(Usage usage) {
    RequestLog log = current();
    if (log != null && usage != null) {
      log.usage = usage;
    }
  }

  public String requestId() {
    return requestId;
  }

  public String keyId() {
    return keyId;
  }

  public String model() {
    return model;
  }

  public Usage usage() {
    return usage;
  }
}
