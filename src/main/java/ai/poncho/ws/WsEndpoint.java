package ai.poncho.ws;

import ai.poncho.config.PonchoConfig;
import ai.poncho.error.ErrorKind;
import ai.poncho.error.GatewayError;
import ai.poncho.http.RequestContext;
import ai.poncho.http.GatewayOverhead;
import ai.poncho.limits.EdgeLimits;
import ai.poncho.limits.MemoryLimiter;
import ai.poncho.logging.RequestLog;
import ai.poncho.metrics.InFlight;
import ai.poncho.metrics.Meters;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code GET /api/v1/ws}: authenticates the handshake, upgrades it and runs a {@link WsSession} per
 * socket. One endpoint per HTTP verticle instance; it knows its sockets so that the verticle's stop
 * can close them gracefully.
 */
public final class WsEndpoint {

  public static final String PATH = "/api/v1/ws";
  /** The subprotocol the server selects when a client offers it (needed to pass a key as a subprotocol). */
  public static final String SUBPROTOCOL = "poncho.v1";

  private final Vertx vertx;
  private final WsConfig config;
  private final WsSession.StreamSettings streams;
  private final HandshakeAuthenticator authenticator;
  private final EdgeLimits limits;
  private final Set<WsSession> sessions = new HashSet<>();
  private final InFlight sockets;
  private final GatewayOverhead overhead;
  private final InFlight generations;
  private final GenerationLog generationLog;
  private boolean draining;

  /** With the node's in-memory limiter (for embedding the endpoint alone). */
  public WsEndpoint(Vertx vertx, PonchoConfig config, HandshakeAuthenticator authenticator) {
    this(vertx, config, authenticator, new EdgeLimits(vertx, config, MemoryLimiter.of(vertx, config.limits()),
        Meters.registry(config.metrics())), new GatewayOverhead(vertx, Meters.registry(config.metrics())));
  }

  public WsEndpoint(Vertx vertx, PonchoConfig config, HandshakeAuthenticator authenticator, EdgeLimits limits,
                    GatewayOverhead overhead) {
    this.vertx = vertx;
    this.limits = limits;
    this.overhead = overhead;
    this.config = config.ws();
    long timeoutMs = config.http().requestTimeout().toMillis();
    this.streams = new WsSession.StreamSettings(config.dispatch().streamWindow(), timeoutMs, timeoutMs);
    this.authenticator = authenticator;
    this.generationLog = new GenerationLog(config.http().accessLog());
    MeterRegistry registry = Meters.registry(config.metrics());
    this.sockets = InFlight.of(vertx, registry, "poncho.ws.connections", "WebSocket API sockets open on this node");
    this.generations = InFlight.of(vertx, registry, "poncho.ws.generations.in.flight",
        "WebSocket generations running on this node");
  }

  /**
   * Applies the frame and message limits and the subprotocol to the HTTP server. WebSocket compression is
   * off: the limits are checked on the wire payload, and inflating a small compressed frame could make
   * the server hold far more than they allow (token deltas hardly compress anyway).
   */
  public static HttpServerOptions configure(HttpServerOptions options, WsConfig config) {
    return options.setMaxWebSocketFrameSize(config.maxFrameSize()).setMaxWebSocketMessageSize(config.maxMessageSize())
        .setWebSocketSubProtocols(List.of(SUBPROTOCOL)).setPerFrameWebSocketCompressionSupported(false)
        .setPerMessageWebSocketCompressionSupported(false);
  }

  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (draining) {
      ctx.fail(GatewayError.of(ErrorKind.SERVICE_UNAVAILABLE, "shutting_down", null,
          "The server is shutting down.").toException());
      return;
    }
    if (!request.canUpgradeToWebSocket()) {
      ctx.fail(new GatewayError(426, ErrorKind.INVALID_REQUEST.type(), "upgrade_required", null,
          "This endpoint speaks WebSocket only: send a GET with 'Upgrade: websocket'.").toException());
      return;
    }
    GatewayError handshake = handshakeProblem(request);
    if (handshake != null) {
      ctx.fail(handshake.toException());
      return;
    }
    authenticator.authenticate(credentials(request)).onComplete(auth -> {
      if (auth.failed()) {
        ctx.fail(auth.cause());
        return;
      }
      RequestLog.keyId(auth.result().keyId());
      request.toWebSocket().onSuccess(ws -> {
        WsSession session = new WsSession(vertx, ws, RequestContext.id(ctx), auth.result(), config, streams,
            limits, generations, overhead, generationLog);
        sessions.add(session);
        sockets.add(1);
        session.closed().onComplete(closed -> {
          sessions.remove(session);
          sockets.add(-1);
          session.logClosed();
        });
        session.start();
      }).onFailure(ctx::fail);
    });
  }

  /**
   * What the handshake itself would refuse with a bare plain-text 400 (RFC 6455 §4.2.1), refused here
   * as OpenAI error JSON instead: a missing or malformed key, a version other than 13.
   */
  private static GatewayError handshakeProblem(HttpServerRequest request) {
    String key = request.getHeader("Sec-WebSocket-Key");
    if (key == null || !key.trim().matches("[A-Za-z0-9+/]{22}==")) {
      return GatewayError.of(ErrorKind.INVALID_REQUEST, "invalid_handshake", null,
          "The WebSocket handshake needs a Sec-WebSocket-Key of 16 base64-encoded bytes.");
    }
    if (!"13".equals(request.getHeader("Sec-WebSocket-Version"))) {
      return new GatewayError(426, ErrorKind.INVALID_REQUEST.type(), "unsupported_websocket_version", null,
          "Only WebSocket version 13 is supported.");
    }
    return null;
  }

  /** Closes every socket with 1001 once its generations finish or the shutdown timeout passes. */
  public Future<Void> shutdown() {
    draining = true;
    long deadline = config.shutdownTimeout().toMillis();
    List<Future<Void>> closing = new ArrayList<>();
    for (WsSession session : new ArrayList<>(sessions)) {
      closing.add(session.shutdown(deadline));
    }
    return Future.join(closing).mapEmpty();
  }

  private static HandshakeCredentials credentials(HttpServerRequest request) {
    String offered = request.getHeader("Sec-WebSocket-Protocol");
    List<String> subprotocols = offered == null ? List.of()
        : Arrays.stream(offered.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
    String apiKey = request.getHeader("x-api-key");
    if (authorization == null && apiKey != null) {
      // The Anthropic SDKs' header, accepted on the handshake as on every other route.
      authorization = "Bearer " + apiKey.trim();
    }
    return new HandshakeCredentials(authorization,
        request.getParam(HandshakeCredentials.QUERY_KEY), subprotocols,
        request.remoteAddress() == null ? null : request.remoteAddress().host());
  }
}
