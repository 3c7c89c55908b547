package ai.poncho.http;

import ai.poncho.chat.Ids;
import ai.poncho.error.ErrorKind;
import ai.poncho.error.GatewayError;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.util.List;

/**
 * Requests refused before any route sees them, answered like every other error: OpenAI error JSON with
 * an {@code x-request-id}. Covers what the HTTP codec rejects (a bad request line or header, too long a
 * URI or header section, an unsupported version, ambiguous framing) and a missing, repeated or invalid
 * {@code Host} (RFC 9110 §7.2, RFC 3986 §3.2.2), which must not reach the router (it fails on them).
 */
final class InvalidRequests {

  private InvalidRequests() {
  }

  /** The server's handler for requests the codec could not decode; the connection closes after the answer. */
  static void decoderFailure(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    GatewayError error;
    if (cause instanceof TooLongHttpLineException) {
      error = new GatewayError(414, ErrorKind.INVALID_REQUEST.type(), "uri_too_long", null,
          "The request line is longer than the server accepts.");
    } else if (cause instanceof TooLongHttpHeaderException) {
      error = new GatewayError(431, ErrorKind.INVALID_REQUEST.type(), "headers_too_large", null,
          "The request headers are larger than the server accepts.");
    } else if (cause instanceof StrictRequestDecoder.UnsupportedVersion) {
      error = new GatewayError(505, ErrorKind.INVALID_REQUEST.type(), "http_version_not_supported", null,
          "HTTP version not supported: use HTTP/1.1 or HTTP/1.0.");
    } else if (cause instanceof StrictRequestDecoder.AmbiguousFraming) {
      error = bad("ambiguous_framing", "The request has both Content-Length and Transfer-Encoding; send only one.");
    } else {
      error = bad("bad_request", "The request is not valid HTTP.");
    }
    send(request, error, true);
  }

  /** Passes the request on to {@code next} unless its Host is missing, repeated or invalid, or its URI malformed. */
  static Handler<HttpServerRequest> checkingHead(Handler<HttpServerRequest> next) {
    return request -> {
      GatewayError error = hostProblem(request);
      if (error == null) {
        error = uriProblem(request);
      }
      if (error == null) {
        next.handle(request);
      } else {
        send(request, error, false);
      }
    };
  }

  private static GatewayError hostProblem(HttpServerRequest request) {
    if (request.version() == HttpVersion.HTTP_2) {
      return null;
    }
    List<String> hosts = request.headers().getAll(HttpHeaders.HOST);
    if (hosts.isEmpty()) {
      return request.version() == HttpVersion.HTTP_1_0 ? null
          : bad("missing_host", "An HTTP/1.1 request must have a Host header.");
    }
    if (hosts.size() > 1) {
      return bad("invalid_host", "The request has more than one Host header.");
    }
    if (!HostHeader.valid(hosts.get(0))) {
      return bad("invalid_host", "The Host header is not a valid host[:port].");
    }
    if (request.authority() == null) {
      return bad("invalid_host", "The Host header's port is out of range.");
    }
    return null;
  }

  /** A {@code %} in the URI must start a two-digit hex escape (RFC 3986 §2.1). */
  private static GatewayError uriProblem(HttpServerRequest request) {
    String uri = request.uri();
    for (int i = 0; i < uri.length(); i++) {
      if (uri.charAt(i) == '%' && (i + 2 >= uri.length() || Character.digit(uri.charAt(i + 1), 16) < 0
          || Character.digit(uri.charAt(i + 2), 16) < 0)) {
        return bad("invalid_uri", "The request URI has an invalid percent-encoding.");
      }
    }
    return null;
  }

  private static GatewayError bad(String code, String message) {
    return GatewayError.of(ErrorKind.INVALID_REQUEST, code, null, message);
  }

  private static void send(HttpServerRequest request, GatewayError error, boolean close) {
    String id = RequestContext.idFrom(request.getHeader(RequestContext.HEADER));
    var response = request.response().setStatusCode(error.status())
        .putHeader(RequestContext.HEADER, id)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    if (close) {
      response.putHeader(HttpHeaders.CONNECTION, "close");
    }
    response.end(error.toResponseJson().toBuffer()).onComplete(done -> {
      if (close) {
        request.connection().close();
      }
    });
  }
}
