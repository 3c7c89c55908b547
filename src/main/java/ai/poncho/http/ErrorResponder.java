package ai.poncho.http;

import ai.poncho.error.AnthropicErrors;
import ai.poncho.error.ErrorKind;
import ai.poncho.error.Errors;
import ai.poncho.error.GatewayError;
import ai.poncho.error.GatewayException;
import ai.poncho.security.AuthErrors;
import io.netty.handler.codec.DecoderException;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place failures become responses: OpenAI error JSON with the right status, never a stack
 * trace; on the Anthropic routes ({@code /v1/messages…}) Anthropic's error shape.
 */
public final class ErrorResponder {

  private static final Logger LOG = LoggerFactory.getLogger(ErrorResponder.class);

  private ErrorResponder() {
  }

  public static void handle(RoutingContext ctx) {
    if (ctx.response().headers().get(RequestContext.HEADER) == null) {
      // A request no route matched (e.g. "GET *") never passed RequestContext; its error still gets an id.
      ctx.response().putHeader(RequestContext.HEADER, RequestContext.idFrom(ctx.request().getHeader(
          RequestContext.HEADER)));
    }
    Throwable failure = ctx.failure();
    GatewayError error = errorOf(ctx);
    if (error.status() == 500) {
      LOG.error("{} {} {} failed: {}", RequestContext.id(ctx), ctx.request().method(), ctx.request().path(),
          error.message(), failure);
    } else if (error.status() > 500) {
      LOG.warn("{} {} {} failed with {}: {}", RequestContext.id(ctx), ctx.request().method(), ctx.request().path(),
          error.status(), error.message());
    }
    if (AnthropicErrors.covers(ctx.request().path())) {
      sendAnthropic(ctx, error);
    } else {
      send(ctx.response(), error);
    }
  }

  /** What the client is told about the failure of {@code ctx} (also what the metrics count). */
  public static GatewayError errorOf(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    // A failure Vert.x Web raised itself with a client status (e.g. a path it cannot decode) keeps that status.
    boolean known = failure instanceof GatewayException || failure instanceof ReplyException;
    if (failure != null && !known && !ctx.request().isEnded()) {
      // The body was still being read: the client left, or the HTTP codec found its framing broken (a bad
      // chunk size); neither is the server's fault.
      if (failure instanceof HttpClosedException) {
        return Errors.CLIENT_CLOSED;
      }
      if (fromHttpCodec(failure)) {
        return GatewayError.of(ErrorKind.INVALID_REQUEST, "bad_request", null, "The request body could not be "
            + "read: its framing (Content-Length or chunked encoding) is malformed.");
      }
    }
    return failure != null && (known || ctx.statusCode() < 400 || ctx.statusCode() >= 500)
        ? Errors.toGatewayError(failure) : forStatus(ctx.statusCode(), ctx);
  }

  private static boolean fromHttpCodec(Throwable failure) {
    StackTraceElement[] stack = failure.getStackTrace();
    return failure instanceof DecoderException
        || stack.length > 0 && stack[0].getClassName().startsWith("io.netty.handler.codec.");
  }

  private static void sendAnthropic(RoutingContext ctx, GatewayError error) {
    HttpServerResponse response = ctx.response();
    if (response.headWritten()) {
      response.reset();
      return;
    }
    response.setStatusCode(AnthropicErrors.status(error)).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader("request-id", RequestContext.id(ctx)).end(AnthropicErrors.body(error, RequestContext.id(ctx)).toBuffer());
  }

  public static void send(HttpServerResponse response, GatewayError error) {
    if (response.headWritten()) {
      response.reset();
      return;
    }
    if (error.status() == 401) {
      response.putHeader("WWW-Authenticate", "Bearer");
    } else if (AuthErrors.TOO_MANY_FAILURES.equals(error.code())) {
      response.putHeader("Retry-After", "60");
    } else if ("upstream_pool_exhausted".equals(error.code())) {
      // Busy connections free up as streams end: worth trying again soon, not at once.
      response.putHeader(HttpHeaders.RETRY_AFTER, "1");
    }
    response.setStatusCode(error.status()).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(error.toResponseJson().toBuffer());
  }

  private static GatewayError forStatus(int status, RoutingContext ctx) {
    String route = ctx.request().method() + " " + ctx.request().path();
    return switch (status) {
      case 404 -> GatewayError.of(ErrorKind.NOT_FOUND, "unknown_url", null, "Unknown request URL: " + route + ".");
      case 405 -> GatewayError.of(ErrorKind.METHOD_NOT_ALLOWED, "method_not_allowed", null,
          "Method " + ctx.request().method() + " is not allowed for " + ctx.request().path() + ".");
      case 413 -> GatewayError.of(ErrorKind.PAYLOAD_TOO_LARGE, "request_too_large", null,
          "The request body exceeds the configured maximum size.");
      case 400 -> GatewayError.of(ErrorKind.INVALID_REQUEST, "bad_request", null, "The request is malformed.");
      default -> status > 0 && status < 500
          ? new GatewayError(status, "invalid_request_error", "request_failed", null, "The request failed.")
          : GatewayError.of(ErrorKind.INTERNAL, "internal_error", null, "The server had an internal error.");
    };
  }
}
