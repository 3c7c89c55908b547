package ai.poncho.provider.openai;

import ai.poncho.config.ModelConfig;
import ai.poncho.embedding.EmbeddingRequest;
import ai.poncho.embedding.EmbeddingResponse;
import ai.poncho.provider.EmbeddingCall;
import ai.poncho.provider.EmbeddingProvider;
import ai.poncho.provider.ProviderCall;
import ai.poncho.provider.http.Bodies;
import ai.poncho.provider.http.UpstreamErrors;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * {@code POST <base_url>/embeddings} of OpenAI and every server that copies it (Z.AI's embedding-3,
 * Ollama's /v1, vLLM, ...), Bearer auth. Floats are always requested, since not every compatible
 * server encodes base64; the gateway encodes for the client. Timeouts and pools as for chat: one
 * keep-alive pool per deployment, {@code first_token_timeout} to the response head, {@code timeout} in all.
 */
public final class OpenAiEmbeddings implements EmbeddingProvider {

  private final Vertx vertx;
  private final Map<ModelConfig, HttpClientAgent> clients = new IdentityHashMap<>();

  public OpenAiEmbeddings(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public Future<EmbeddingResponse> embed(EmbeddingCall call) {
    ModelConfig model = call.model();
    Promise<EmbeddingResponse> promise = Promise.promise();
    long total = vertx.setTimer(Math.max(1, model.timeout().toMillis()),
        id -> promise.tryFail(UpstreamErrors.timeout(model, "total time over " + model.timeout())));
    long firstByte = vertx.setTimer(Math.max(1, model.connection().firstTokenTimeout().toMillis()),
        id -> promise.tryFail(UpstreamErrors.timeout(model, "no response within "
            + model.connection().firstTokenTimeout())));
    call.cancelled().onComplete(cancelled -> promise.tryFail(ProviderCall.CANCELLED.toException()));
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST)
        .setAbsoluteURI(Bodies.join(model.baseUrl(), "/embeddings"))
        .setConnectTimeout(model.connection().connectTimeout().toMillis())
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json").putHeader(HttpHeaders.ACCEPT, "application/json");
    if (model.apiKey() != null && !model.apiKey().isBlank()) {
      options.putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + model.apiKey());
    }
    model.connection().headers().forEach(options::putHeader);
    client(model).request(options).onComplete(opened -> {
      if (opened.failed()) {
        promise.tryFail(UpstreamErrors.network(model, opened.cause()));
        return;
      }
      promise.future().onFailure(failure -> opened.result().reset());
      opened.result().send(body(call).toBuffer())
          .compose(response -> {
            vertx.cancelTimer(firstByte);
            return response.body().map(buffer -> {
              if (response.statusCode() / 100 != 2) {
                throw UpstreamErrors.fromResponse(model, response.statusCode(), response.headers(), buffer);
              }
              return buffer;
            });
          })
          .onComplete(result -> {
            if (result.failed()) {
              promise.tryFail(UpstreamErrors.network(model, result.cause()));
              return;
            }
            try {
              promise.tryComplete(parse(call, result.result()));
            } catch (RuntimeException e) {
              promise.tryFail(UpstreamErrors.network(model, e));
            }
          });
    });
    return promise.future().onComplete(done -> {
      vertx.cancelTimer(total);
      vertx.cancelTimer(firstByte);
    });
  }

  private static JsonObject body(EmbeddingCall call) {
    EmbeddingRequest request = call.request();
    JsonObject body = new JsonObject().put("model", call.model().modelName()).put("input", request.inputJson())
        .put("encoding_format", "float");
    if (request.dimensions() != null) {
      body.put("dimensions", request.dimensions());
    }
    if (request.user() != null) {
      body.put("user", request.user());
    }
    return Bodies.withDefaults(body, call.model().customParams());
  }

  private static EmbeddingResponse parse(EmbeddingCall call, Buffer body) {
    EmbeddingResponse response;
    try {
      response = EmbeddingResponse.fromJson(new JsonObject(body));
    } catch (DecodeException | ClassCastException | IllegalArgumentException e) {
      throw UpstreamErrors.malformed(call.model(), "not an embeddings list (" + e.getMessage() + ")");
    }
    if (response.vectors().size() != call.request().inputs().size()) {
      throw UpstreamErrors.malformed(call.model(), response.vectors().size() + " embeddings for "
          + call.request().inputs().size() + " inputs");
    }
    return response.withModel(call.request().model());
  }

  private HttpClientAgent client(ModelConfig model) {
    return clients.computeIfAbsent(model, m -> vertx.httpClientBuilder()
        .with(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true)
            .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, m.connection().connectTimeout().toMillis())))
        .with(new PoolOptions().setHttp1MaxSize(m.connection().poolSize()))
        .build());
  }

  @Override
  public Future<Void> close() {
    return Future.all(clients.values().stream().map(HttpClientAgent::close).toList()).mapEmpty();
  }
}
