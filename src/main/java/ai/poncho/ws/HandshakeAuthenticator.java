package ai.poncho.ws;

import io.vertx.core.Future;

/**
 * Decides whether a WebSocket handshake may proceed. A failed future with a
 * {@link ai.poncho.error.GatewayException} refuses the upgrade with that error as an HTTP response
 * (e.g. 401), before any frame is exchanged. The default admits everyone until API keys exist.
 */
@FunctionalInterface
public interface HandshakeAuthenticator {

  Future<Void> authenticate(HandshakeCredentials credentials);

  static HandshakeAuthenticator allowAll() {
    return credentials -> Future.succeededFuture();
  }
}
