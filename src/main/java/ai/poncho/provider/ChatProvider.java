package ai.poncho.provider;

import ai.poncho.chat.ChatResponse;
import ai.poncho.chat.ChatStream;
import io.vertx.core.Future;

/**
 * One provider family's translation to and from its wire format. Failures are
 * {@link ai.poncho.error.GatewayException}s classified by {@link ai.poncho.error.ErrorKind}; a stream's
 * future fails when the upstream refused the request before sending anything.
 */
public interface ChatProvider {

  Future<ChatResponse> complete(ProviderCall call);

  Future<ChatStream> stream(ProviderCall call);

  /** Releases pooled connections. */
  default Future<Void> close() {
    return Future.succeededFuture();
  }
}
