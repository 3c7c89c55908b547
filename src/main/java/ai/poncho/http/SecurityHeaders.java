package ai.poncho.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * Headers on every response: {@code X-Content-Type-Options: nosniff}; {@code Cache-Control: no-store} on
 * API answers (they carry per-key data); {@code Strict-Transport-Security} on TLS connections.
 */
public final class SecurityHeaders {

  static final String HSTS = "max-age=31536000; includeSubDomains";

  private SecurityHeaders() {
  }

  public static void apply(RoutingContext ctx) {
    HttpServerResponse response = ctx.response();
    response.putHeader("X-Content-Type-Options", "nosniff");
    String path = ctx.request().path();
    if (path != null && (path.startsWith("/v1/") || path.startsWith("/api/"))) {
      response.putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    }
    if (ctx.request().isSSL()) {
      response.putHeader("Strict-Transport-Security", HSTS);
    }
    ctx.next();
  }
}
