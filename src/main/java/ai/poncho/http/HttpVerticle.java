package ai.poncho.http;

import ai.poncho.bus.BusCodecs;
import ai.poncho.config.HttpConfig;
import ai.poncho.config.PonchoConfig;
import ai.poncho.limits.EdgeLimits;
import ai.poncho.limits.Stores;
import ai.poncho.metrics.Meters;
import ai.poncho.usage.UsageHandler;
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
  private Stores stores;

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
    stores = Stores.open(vertx, config);
    Router router = router(config);
    server = vertx.createHttpServer(WsEndpoint.configure(new HttpServerOptions().setHost(http.host())
        .setTcpNoDelay(true).setTcpFastOpen(true).setDecompressionSupported(true), config.ws()));
    // Port 0 means "any": a negative port makes all instances share one random port.
    int port = http.port() == 0 ? -1 : http.port();
    return server.requestHandler(router).listen(port)
        .onSuccess(s -> vertx.sharedData().getLocalMap("poncho").put(PORT_KEY, s.actualPort()));
  }

  /**
   * Stops accepting; in-flight requests and SSE streams get http.shutdown_timeout, WebSocket
   * generations ws.shutdown_timeout, to finish.
   */
  @Override
  public Future<?> stop() {
    if (server == null) {
      return stores == null ? Future.succeededFuture() : stores.close();
    }
    return Future.join(webSockets.shutdown(),
        server.shutdown(http.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS)).eventually(stores::close);
  }

  private Router router(PonchoConfig config) {
    Router router = Router.router(vertx);
    router.route().handler(RequestContext::assign);
    if (config.http().accessLog()) {
      router.route().handler(AccessLog::attach);
    }
    BodyHandler body = BodyHandler.create(false).setBodyLimit(config.http().maxBodyBytes());
    EdgeLimits limits = new EdgeLimits(vertx, config, stores.limiter(), Meters.registry(config.metrics()));
    limits.mount(router, body);
    ChatCompletionsHandler chat = new ChatCompletionsHandler(vertx, config);
    ModelsHandler models = new ModelsHandler(vertx);
    webSockets = new WsEndpoint(vertx, config, wsAuthenticator, limits);
    // One route per endpoint keeps the metrics' route label clean; Vert.x Web wants the body handler first.
    router.post("/v1/chat/completions").handler(body).handler(JsonBody::requireJsonContentType)
        .handler(chat::handle);
    router.get("/v1/models").handler(models::list);
    router.getWithRegex("/v1/models/(?<id>.+)").handler(models::get);
    router.get(WsEndpoint.PATH).handler(webSockets::handle);
    router.get("/health/live").handler(HealthRoutes.live(vertx));
    router.get("/health/ready").handler(HealthRoutes.ready(vertx, stores.redis()));
    new PromptsHandler(vertx, config).mount(router, body);
    // Until roles exist, the open gateway's anonymous caller is the admin; a key sees its own usage.
    new UsageHandler(stores.usage(), (ctx, caller) -> caller.anonymous()).mount(router);
    if (config.metrics().enabled()) {
      router.get("/metrics").handler(PrometheusScrapingHandler.create(config.metrics().registryName()));
    }
    router.route().failureHandler(ErrorResponder::handle);
    router.errorHandler(404, ErrorResponder::handle);
    router.errorHandler(405, ErrorResponder::handle);
    return router;
  }
}
