package ai.poncho.http;

import ai.poncho.chat.Ids;
import ai.poncho.logging.RequestLog;
import ai.poncho.tracing.Tracing;
import io.opentelemetry.api.trace.Span;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;

/**
 * Per-request id: the caller's {@code x-request-id} when it is sane, otherwise a generated one. It is
 * echoed on every response and named in every log line of the request ({@link RequestLog}).
 */
public final class RequestContext {

  public static final String HEADER = "x-request-id";
  public static final String TRACEPARENT = "traceparent";
  private static final String KEY = "poncho.requestId";
  private static final int MAX_LENGTH = 128;

  private RequestContext() {
  }

  public static void assign(RoutingContext ctx) {
    String id = idFrom(ctx.request().getHeader(HEADER));
    ctx.put(KEY, id);
    RequestLog.enter(id, null, null);
    ctx.response().putHeader(HEADER, id);
    ctx.next();
  }

  /**
   * With tracing on: answers with the {@code traceparent} of the request's server span, so a client can
   * find its trace, and names the request id and the matched route on that span.
   */
  public static void traceparent(RoutingContext ctx) {
    String traceparent = Tracing.traceparent();
    if (traceparent != null) {
      ctx.response().putHeader(TRACEPARENT, traceparent);
      Span span = Span.current();
      span.setAttribute("poncho.request_id", id(ctx));
      // Named "{method} {route}" as the HTTP conventions ask, once the route that answers is known.
      ctx.addHeadersEndHandler(v -> {
        Route route = ctx.currentRoute();
        if (route != null && route.getPath() != null) {
          span.updateName(ctx.request().method().name() + " " + route.getPath());
          span.setAttribute("http.route", route.getPath());
        }
      });
    }
    ctx.next();
  }

  /** The caller's id when it is sane, otherwise a new one. */
  public static String idFrom(String header) {
    return valid(header) ? header : Ids.requestId();
  }

  public static String id(RoutingContext ctx) {
    String id = ctx.get(KEY);
    return id == null ? "-" : id;
  }

  private static boolean valid(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        return false;
      }
    }
    return true;
  }
}
