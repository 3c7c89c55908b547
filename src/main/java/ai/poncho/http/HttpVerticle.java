package ai.poncho.http;

import ai.poncho.bus.BusCodecs;
import ai.poncho.config.HttpConfig;
import ai.poncho.config.PonchoConfig;
import ai.poncho.ws.HandshakeAuthenticator;
import ai.poncho.ws.WsEndpoint;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP front end: OpenAI-compatible API, health and metrics. Deployed once per core; the
 * instances share one listening port.
 */
public final class HttpVerticle extends VerticleBase {

  /** Key in the local shared map "poncho" under which the bound port is published (for port 0). */
  public static final String PORT_KEY = "http.port";

  private final HandshakeAuthenticator wsAuthenticator;
  private HttpServer server;
  private HttpConfig http;
  private WsEndpoint webSockets;

  public HttpVerticle() {
    this(HandshakeAuthenticator.allowAll());
  }

  public HttpVerticle(HandshakeAuthenticator wsAuthenticator) {
    this.wsAuthenticator = wsAuthenticator;
  }

  @Override
  public Future<?> start() {
    PonchoConfig config = PonchoConfig.from(config());
    BusCodecs.register(vertx);
    http = config.http();
    Router router = router(config);
    HttpServerOptions options = WsEndpoint.configure(new HttpServerOptions().setHost(http.host())
        .setTcpNoDelay(true).setTcpFastOpen(true).setDecompressionSupported(true)
        // Without h2c the HTTP/1.x pipeline exists before the first byte is read, so the strict decoder
        // sees every request; cleartext HTTP/2 is not offered (an h2 preface is answered 505).
        .setHttp2ClearTextEnabled(false), config.ws());
    server = vertx.createHttpServer(options);
    // Port 0 means "any": a negative port makes all instances share one random port.
    int port = http.port() == 0 ? -1 : http.port();
    return server.connectionHandler(connection -> StrictRequestDecoder.install(connection, options))
        .invalidRequestHandler(InvalidRequests::decoderFailure)
        .requestHandler(InvalidRequests.checkingHead(router)).listen(port)
        .onSuccess(s -> vertx.sharedData().getLocalMap("poncho").put(PORT_KEY, s.actualPort()));
  }

  /**
   * Stops accepting; in-flight requests and SSE streams get http.shutdown_timeout, WebSocket
   * generations ws.shutdown_timeout, to finish.
   */
  @Override
  public Future<?> stop() {
    if (server == null) {
      return Future.succeededFuture();
    }
    return Future.join(webSockets.shutdown(),
        server.shutdown(http.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS));
  }

  private Router router(PonchoConfig config) {
    Router router = Router.router(vertx);
    router.route().handler(RequestContext::assign);
    if (config.http().accessLog()) {
      router.route().handler(AccessLog::attach);
    }
    BodyHandler body = BodyHandler.create(false).setBodyLimit(config.http().maxBodyBytes());
    ChatCompletionsHandler chat = new ChatCompletionsHandler(vertx, config);
    ModelsHandler models = new ModelsHandler(vertx);
    webSockets = new WsEndpoint(vertx, config, wsAuthenticator);
    // One route per endpoint keeps the metrics' route label clean; Vert.x Web wants the body handler first.
    router.post("/v1/chat/completions").handler(body).handler(JsonBody::requireJsonContentType)
        .handler(chat::handle).failureHandler(chat::countRejected);
    router.get("/v1/models").handler(models::list);
    router.getWithRegex("/v1/models/(?<id>.+)").handler(models::get);
    router.get(WsEndpoint.PATH).handler(webSockets::handle);
    router.get("/health/live").handler(HealthRoutes.live(vertx));
    router.get("/health/ready").handler(HealthRoutes.ready(vertx));
    new PromptsHandler(vertx, config).mount(router, body);
    if (config.metrics().enabled()) {
      router.get("/metrics").handler(PrometheusScrapingHandler.create(config.metrics().registryName()));
    }
    router.route().failureHandler(ErrorResponder::handle);
    router.errorHandler(400, ErrorResponder::handle);
    router.errorHandler(404, ErrorResponder::handle);
    router.errorHandler(405, ErrorResponder::handle);
    router.errorHandler(500, ErrorResponder::handle);
    return router;
  }
}
