package ai.poncho.security;

import ai.poncho.logging.RequestLog;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * The router-level auth step, before any body is read or any bus hop: every route but {@code /health},
 * {@code /health/*} and {@code /metrics} wants a key ({@code Authorization: Bearer} or {@code x-api-key});
 * the WebSocket endpoint authenticates its handshake itself through {@link KeyHandshakeAuthenticator}. On
 * success the {@link Grant} and its {@link Caller} are in the routing context.
 */
public final class AuthHandler {

  public static final String API_KEY_HEADER = "x-api-key";

  private final Authenticator authenticator;

  public AuthHandler(Authenticator authenticator) {
    this.authenticator = authenticator;
  }

  /** Paths that stay open with auth on: probes and the Prometheus scrape, which carry no keys. */
  public static boolean open(String path) {
    return path.equals("/health") || path.startsWith("/health/") || path.equals("/metrics");
  }

  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String path = request.path();
    if (path == null || open(path) || path.equals(ai.poncho.ws.WsEndpoint.PATH)) {
      ctx.next();
      return;
    }
    // The lookup may be asynchronous (Redis): hold the body until the route's body handler takes it.
    boolean pause = !request.isEnded();
    if (pause) {
      request.pause();
    }
    authenticator.authenticate(presentedKey(request), clientAddress(request)).onComplete(auth -> {
      if (auth.failed()) {
        ctx.fail(auth.cause());
      } else {
        String denial = Permissions.denial(auth.result(), request.method(), path);
        if (denial != null) {
          ctx.fail(AuthErrors.insufficient(denial));
        } else {
          ctx.put(Grant.CONTEXT_KEY, auth.result());
          ctx.put(Caller.CONTEXT_KEY, auth.result().caller());
          RequestLog.keyId(auth.result().caller().keyId());
          ctx.next();
        }
      }
      if (pause && !request.isEnded()) {
        request.resume();
      }
    });
  }

  static String presentedKey(HttpServerRequest request) {
    String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return authorization.substring(7).trim();
    }
    String apiKey = request.getHeader(API_KEY_HEADER);
    return apiKey == null ? null : apiKey.trim();
  }

  static String clientAddress(HttpServerRequest request) {
    return request.remoteAddress() == null ? null : request.remoteAddress().host();
  }
}
