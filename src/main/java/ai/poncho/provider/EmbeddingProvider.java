package ai.poncho.provider;

import ai.poncho.embedding.EmbeddingResponse;
import io.vertx.core.Future;

/** One provider family's embeddings API; failures as for {@link ChatProvider}. */
public interface EmbeddingProvider {

  Future<EmbeddingResponse> embed(EmbeddingCall call);

  /** Releases pooled connections. */
  default Future<Void> close() {
    return Future.succeededFuture();
  }
}
