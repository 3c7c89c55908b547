package ai.poncho.provider.mock;

import ai.poncho.embedding.EmbeddingResponse;
import ai.poncho.error.ErrorKind;
import ai.poncho.error.GatewayError;
import ai.poncho.provider.EmbeddingCall;
import ai.poncho.provider.EmbeddingProvider;
import ai.poncho.provider.ProviderCall;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The mock embedding model: unit vectors seeded by the input, so equal inputs always embed equally and
 * different ones (almost surely) differently. The size is the request's {@code dimensions} (at most the
 * model's) or the model's; a shorter vector is the longer one's prefix, renormalised, as OpenAI's shortened embeddings
 * are. Latency and injected errors come from {@code mock_latency_ms} / {@code mock_error_status} in the
 * model's custom_params. Tokens are estimated as for chat (about 4 characters a token).
 */
public final class MockEmbeddings implements EmbeddingProvider {

  private final Vertx vertx;
  private final MockSettings defaults;

  public MockEmbeddings(Vertx vertx, MockSettings defaults) {
    this.vertx = vertx;
    this.defaults = defaults;
  }

  @Override
  public Future<EmbeddingResponse> embed(EmbeddingCall call) {
    MockSettings settings = defaults.withModelParams(call.model().customParams());
    if (settings.errorStatus() > 0) {
      return Future.failedFuture(GatewayError.of(ErrorKind.ofUpstreamStatus(settings.errorStatus()), "upstream_error",
          null, "The mock upstream answered with status " + settings.errorStatus() + " (mock_error_status).")
          .toException());
    }
    Integer requested = call.request().dimensions();
    if (requested != null && requested > call.model().dimensions()) {
      // As OpenAI's: dimensions only shortens a model's vectors.
      return Future.failedFuture(GatewayError.of(ErrorKind.INVALID_REQUEST, "invalid_value", "dimensions",
          "Invalid 'dimensions': the model '" + call.request().model() + "' makes vectors of at most "
              + call.model().dimensions() + " dimensions, but " + requested + " were asked for.").toException());
    }
    int dimensions = requested != null ? requested : call.model().dimensions();
    List<float[]> vectors = new ArrayList<>(call.request().inputs().size());
    int tokens = 0;
    for (Object input : call.request().inputs()) {
      vectors.add(vector(seed(input), dimensions));
      tokens += input instanceof List<?> list ? list.size() : Math.max(1, (((String) input).length() + 3) / 4);
    }
    EmbeddingResponse response = new EmbeddingResponse(call.request().model(), vectors, tokens);
    if (settings.latencyMs() <= 0) {
      return Future.succeededFuture(response);
    }
    Promise<EmbeddingResponse> promise = Promise.promise();
    long timer = vertx.setTimer(settings.latencyMs(), id -> promise.tryComplete(response));
    call.cancelled().onComplete(cancelled -> {
      if (vertx.cancelTimer(timer)) {
        promise.tryFail(ProviderCall.CANCELLED.toException());
      }
    });
    return promise.future();
  }

  /** FNV-1a over the input's UTF-8 bytes (or its token ids): stable across JVMs, unlike String.hashCode alone. */
  private static long seed(Object input) {
    long hash = 0xcbf29ce484222325L;
    byte[] bytes = input instanceof String text ? text.getBytes(StandardCharsets.UTF_8)
        : input.toString().getBytes(StandardCharsets.UTF_8);
    for (byte b : bytes) {
      hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
    }
    return hash;
  }

  private static float[] vector(long seed, int dimensions) {
    SplittableRandom random = new SplittableRandom(seed);
    double[] values = new double[dimensions];
    double norm = 0;
    for (int i = 0; i < dimensions; i++) {
      values[i] = random.nextDouble(-1, 1);
      norm += values[i] * values[i];
    }
    norm = Math.sqrt(norm);
    float[] vector = new float[dimensions];
    for (int i = 0; i < dimensions; i++) {
      vector[i] = (float) (values[i] / norm);
    }
    return vector;
  }
}
