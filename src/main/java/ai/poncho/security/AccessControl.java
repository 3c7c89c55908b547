package ai.poncho.security;

import ai.poncho.config.AuthConfig;
import ai.poncho.config.PonchoConfig;
import ai.poncho.state.RedisState;
import ai.poncho.ws.HandshakeAuthenticator;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Access control of one HTTP verticle instance: the key store (the node's in-memory store, or Redis with
 * this instance's own connection), the authenticator with its cache, the router-level auth step, the
 * WebSocket handshake hook and the key API.
 */
public final class AccessControl {

  private static final Logger LOG = LoggerFactory.getLogger(AccessControl.class);

  private final AuthConfig config;
  private final KeyStore store;
  private final Authenticator authenticator;
  private final boolean shared;

  private AccessControl(AuthConfig config, KeyStore store, Authenticator authenticator, boolean shared) {
    this.config = config;
    this.store = store;
    this.authenticator = authenticator;
    this.shared = shared;
  }

  public static Future<AccessControl> start(Vertx vertx, PonchoConfig config) {
    AuthConfig auth = config.auth();
    FailedAuthLimiter failures = FailedAuthLimiter.shared(vertx, auth.failedAttemptsPerMinute());
    if (!auth.enabled() && vertx.sharedData().getLocalMap("poncho").putIfAbsent("auth.open-warning", true) == null) {
      LOG.warn("Authentication is OFF: anyone who can reach this port can use every model and manage API keys. "
          + "Set auth.master_key (PONCHO_MASTER_KEY) or auth.enabled: true to require API keys.");
    }
    Clock clock = Clock.systemUTC();
    if (config.state().redis()) {
      KeyStore store = new RedisKeyStore(RedisState.create(vertx, config.state()), config.state().redisPrefix());
      return Future.succeededFuture(new AccessControl(auth, store,
          new Authenticator(auth, store, true, failures, clock), true));
    }
    return MemoryKeyStore.shared(vertx, auth.keysFile()).map(store -> new AccessControl(auth, store,
        new Authenticator(auth, store, false, failures, clock), false));
  }

  public boolean enabled() {
    return config.enabled();
  }

  public Authenticator authenticator() {
    return authenticator;
  }

  /** The router-level auth step; passes everything through while auth is off. */
  public Handler<RoutingContext> handler() {
    return enabled() ? new AuthHandler(authenticator)::handle : RoutingContext::next;
  }

  public HandshakeAuthenticator handshake() {
    return enabled() ? new KeyHandshakeAuthenticator(authenticator) : HandshakeAuthenticator.allowAll();
  }

  public void mountKeyApi(Router router) {
    mountKeyApi(router, KeyDetails.NONE);
  }

  /** The key API, with {@code details} (spend, remaining budget) added to {@code GET /api/v1/keys/{id}}. */
  public void mountKeyApi(Router router, KeyDetails details) {
    new KeysHandler(store, authenticator, config, Clock.systemUTC(), details).mount(router);
  }

  /** Readiness: whether the key store answers (Redis up); always ready in memory. */
  public Future<Void> ping() {
    return store.ping();
  }

  public boolean sharedStore() {
    return shared;
  }

  public Future<Void> close() {
    return shared ? store.close() : Future.succeededFuture();
  }
}
