package ai.poncho.ws;

import ai.poncho.security.Caller;
import io.vertx.core.Future;

/**
 * Decides whether a WebSocket handshake may proceed. A failed future with a
 * {@link ai.poncho.error.GatewayException} refuses the upgrade with that error as an HTTP response
 * (e.g. 401), before any frame is exchanged; success names the {@link Caller} the socket's generations run
 * for. The default admits everyone, anonymously.
 */
@FunctionalInterface
public interface HandshakeAuthenticator {

  Future<Caller> authenticate(HandshakeCredentials credentials);

  static HandshakeAuthenticator allowAll() {
    return credentials -> Future.succeededFuture(Caller.ANONYMOUS);
  }
}
