package ai.poncho.security;

import ai.poncho.ws.HandshakeAuthenticator;
import ai.poncho.ws.HandshakeCredentials;
import ai.poncho.ws.WsEndpoint;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;

/**
 * The WebSocket handshake's auth: the key from {@code Authorization: Bearer}, {@code ?api_key=} or the
 * subprotocol {@code poncho.key.<key>}, checked as any request (role, endpoints); the socket's generations
 * run as the key's {@link Caller}.
 */
public final class KeyHandshakeAuthenticator implements HandshakeAuthenticator {

  private final Authenticator authenticator;

  public KeyHandshakeAuthenticator(Authenticator authenticator) {
    this.authenticator = authenticator;
  }

  @Override
  public Future<Caller> authenticate(HandshakeCredentials credentials) {
    return authenticator.authenticate(credentials.apiKey(), credentials.remoteAddress()).compose(grant -> {
      String denial = Permissions.denial(grant, HttpMethod.GET, WsEndpoint.PATH);
      return denial == null ? Future.succeededFuture(grant.caller())
          : Future.failedFuture(AuthErrors.insufficient(denial));
    });
  }
}
