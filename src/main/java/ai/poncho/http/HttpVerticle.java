package ai.poncho.http;

import ai.poncho.api.anthropic.MessagesHandler;
import ai.poncho.api.responses.ResponsesHandler;
import ai.poncho.bus.BusCodecs;
import ai.poncho.config.HttpConfig;
import ai.poncho.config.PonchoConfig;
import ai.poncho.limits.EdgeLimits;
import ai.poncho.limits.KeySpend;
import ai.poncho.limits.Stores;
import ai.poncho.metrics.Meters;
import ai.poncho.security.AccessControl;
import ai.poncho.security.Permissions;
import ai.poncho.state.GatewayClock;
import ai.poncho.tracing.Tracing;
import ai.poncho.usage.UsageHandler;
import ai.poncho.ws.HandshakeAuthenticator;
import ai.poncho.ws.WsEndpoint;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP front end: OpenAI-compatible API (chat, embeddings, responses), the Anthropic Messages API,
 * health and metrics. Deployed once per core; the
 * instances share one listening port.
 */
public final class HttpVerticle extends VerticleBase {

  /** Key in the local shared map "poncho" under which the bound port is published (for port 0). */
  public static final String PORT_KEY = "http.port";

  /** A handshake authenticator given by the deployer (tests); null: the configured access control decides. */
  private final HandshakeAuthenticator wsAuthenticator;
  private AccessControl access;
  private Tls tls;
  private HttpServer server;
  private HttpConfig http;
  private WsEndpoint webSockets;
  private Stores stores;

  public HttpVerticle() {
    this(null);
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
    return AccessControl.start(vertx, config).compose(started -> {
      access = started;
      return listen(config);
    });
  }

  private Future<HttpServer> listen(PonchoConfig config) {
    Router router = router(config);
    HttpServerOptions options = new HttpServerOptions().setHost(http.host()).setTcpNoDelay(true)
        .setTcpFastOpen(true).setDecompressionSupported(true).setMaxHeaderSize(http.maxHeaderSize())
        // The request line is the method, the URL and the version: room for the longest method and version.
        .setMaxInitialLineLength(http.maxUrlLength() + 32)
        // Without h2c the HTTP/1.x pipeline exists before the first byte is read, so the strict decoder
        // sees every request; cleartext HTTP/2 is not offered (an h2 preface is answered 505). HTTP/2
        // over TLS (ALPN) is unaffected.
        .setHttp2ClearTextEnabled(false);
    HttpServerOptions configured = Tls.apply(WsEndpoint.configure(options, config.ws()), http.tls());
    server = vertx.createHttpServer(configured);
    // Port 0 means "any": a negative port makes all instances share one random port.
    int port = http.port() == 0 ? -1 : http.port();
    return server.connectionHandler(connection -> StrictRequestDecoder.install(connection, configured))
        .invalidRequestHandler(InvalidRequests::decoderFailure)
        .requestHandler(InvalidRequests.checkingHead(router)).listen(port)
        .compose(s -> Tls.watch(vertx, http.tls(), s).map(watching -> {
          tls = watching;
          return s;
        }))
        .onSuccess(s -> vertx.sharedData().getLocalMap("poncho").put(PORT_KEY, s.actualPort()));
  }

  /**
   * Stops accepting; in-flight requests and SSE streams get http.shutdown_timeout, WebSocket
   * generations ws.shutdown_timeout, to finish.
   */
  @Override
  public Future<?> stop() {
    if (tls != null) {
      tls.stop();
    }
    if (server == null) {
      return Future.join(access == null ? Future.succeededFuture() : access.close(),
          stores == null ? Future.succeededFuture() : stores.close());
    }
    return Future.join(webSockets.shutdown(),
        server.shutdown(http.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS))
        .transform(done -> Future.join(access.close(), stores.close()));
  }

  private Router router(PonchoConfig config) {
    Router router = Router.router(vertx);
    router.route().handler(RequestContext::assign);
    if (Tracing.of(vertx).on()) {
      router.route().handler(RequestContext::traceparent);
    }
    GatewayOverhead overhead = new GatewayOverhead(vertx, Meters.registry(config.metrics()));
    router.route().handler(overhead::arrive);
    if (config.http().accessLog()) {
      router.route().handler(AccessLog::attach);
    }
    router.route().handler(SecurityHeaders::apply);
    if (!config.http().corsOrigins().isEmpty()) {
      // Before auth: a preflight carries no key.
      router.route().handler(Cors.handler(config.http().corsOrigins()));
    }
    // Auth comes before any body is read and before any bus hop, for every route (also ones added later).
    router.route().handler(access.handler());
    BodyHandler body = BodyHandler.create(false).setBodyLimit(config.http().maxBodyBytes());
    EdgeLimits limits = new EdgeLimits(vertx, config, stores.limiter(), Meters.registry(config.metrics()));
    limits.mount(router, body);
    ChatCompletionsHandler chat = new ChatCompletionsHandler(vertx, config);
    ModelsHandler models = new ModelsHandler(vertx);
    webSockets = new WsEndpoint(vertx, config, wsAuthenticator != null ? wsAuthenticator : access.handshake(),
        limits, overhead);
    // One route per endpoint keeps the metrics' route label clean; Vert.x Web wants the body handler first.
    router.post("/v1/chat/completions").handler(body).handler(JsonBody::requireJsonContentType)
        .handler(chat::handle).failureHandler(chat::countRejected);
    EmbeddingsHandler embeddings = new EmbeddingsHandler(vertx, config);
    router.post("/v1/embeddings").handler(body).handler(JsonBody::requireJsonContentType)
        .handler(embeddings::handle);
    MessagesHandler messages = new MessagesHandler(vertx, config);
    router.post("/v1/messages").handler(body).handler(JsonBody::requireJsonContentType)
        .handler(messages::create);
    router.post("/v1/messages/count_tokens").handler(body).handler(JsonBody::requireJsonContentType)
        .handler(messages::countTokens);
    ResponsesHandler responses = new ResponsesHandler(vertx, config);
    router.post("/v1/responses").handler(body).handler(JsonBody::requireJsonContentType)
        .handler(responses::create);
    router.get("/v1/responses/:id").handler(responses::notStored);
    router.delete("/v1/responses/:id").handler(responses::notStored);
    router.get("/v1/models").handler(models::list);
    router.getWithRegex("/v1/models/(?<id>.+)").handler(models::get);
    router.get(WsEndpoint.PATH).handler(webSockets::handle);
    router.get("/health/live").handler(HealthRoutes.live(vertx));
    HealthCheckHandler ready = HealthRoutes.ready(vertx, access, stores.redis());
    router.get("/health/ready").handler(ready);
    router.get("/health").handler(ready);
    new PromptsHandler(vertx, config).mount(router, body);
    KeySpend spend = new KeySpend(stores.limiter(), limits.plan(), GatewayClock.of(vertx));
    access.mountKeyApi(router, key -> spend.of(key.id(), key.limits()));
    new UsageHandler(stores.usage(), (ctx, caller) -> Permissions.isAdmin(ctx)).mount(router);
    router.delete(CacheHandler.PATH).handler(Permissions::requireAdmin)
        .handler(new CacheHandler(vertx, config.http().requestTimeout().toMillis())::purge);
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
