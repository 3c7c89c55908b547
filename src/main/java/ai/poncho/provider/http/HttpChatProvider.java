package ai.poncho.provider.http;

import ai.poncho.chat.ChatResponse;
import ai.poncho.chat.ChatStream;
import ai.poncho.config.ModelConfig;
import ai.poncho.provider.ChatProvider;
import ai.poncho.provider.ProviderCall;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ChatProvider} over HTTP for one {@link WireFormat}. Each deployment (model entry) gets its
 * own keep-alive connection pool of at most {@code pool_size} connections per node ({@link UpstreamPool}). Timeouts: {@code connect_timeout} for the TCP/TLS
 * connect, {@code first_token_timeout} for the response head (or first streamed chunk), {@code timeout}
 * for the whole exchange. Every failure is an {@link UpstreamException} that says whether a retry may help.
 */
public final class HttpChatProvider implements ChatProvider {

  private static final Logger LOG = LoggerFactory.getLogger(HttpChatProvider.class);

  private final Vertx vertx;
  private final WireFormat format;
  private final MeterRegistry meters;
  private final Map<ModelConfig, HttpClientAgent> clients = new IdentityHashMap<>();
  private final Map<ModelConfig, UpstreamPool> pools = new IdentityHashMap<>();

  public HttpChatProvider(Vertx vertx, WireFormat format, MeterRegistry meters) {
    this.vertx = vertx;
    this.format = format;
    this.meters = meters;
  }

  @Override
  public Future<ChatResponse> complete(ProviderCall call) {
    ModelConfig model = call.model();
    Promise<ChatResponse> promise = Promise.promise();
    Buffer body = format.body(call, false).toBuffer();
    long start = System.currentTimeMillis();
    long total = vertx.setTimer(Math.max(1, model.timeout().toMillis()),
        id -> promise.tryFail(UpstreamErrors.timeout(model, "total time over " + model.timeout())));
    long firstByte = vertx.setTimer(Math.max(1, model.connection().firstTokenTimeout().toMillis()),
        id -> promise.tryFail(UpstreamErrors.timeout(model, "no response within "
            + model.connection().firstTokenTimeout())));
    call.cancelled().onComplete(cancelled -> promise.tryFail(ProviderCall.CANCELLED.toException()));
    withSlot(model, call, promise, release -> send(model, body).onComplete(sent -> {
      promise.future().onComplete(done -> release.run());
      if (sent.failed()) {
        promise.tryFail(UpstreamErrors.network(model, sent.cause()));
        return;
      }
      HttpClientRequest request = sent.result();
      promise.future().onFailure(failure -> request.reset());
      request.response()
          .compose(response -> {
            vertx.cancelTimer(firstByte);
            int status = response.statusCode();
            return response.body().map(buffer -> {
              if (status / 100 != 2) {
                throw UpstreamErrors.fromResponse(model, status, response.headers(), buffer);
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
              promise.tryComplete(format.response(call, result.result()));
            } catch (DecodeException e) {
              promise.tryFail(UpstreamErrors.malformed(model, "the body is not JSON"));
            } catch (RuntimeException e) {
              promise.tryFail(UpstreamErrors.network(model, e));
            }
          });
    }));
    return promise.future().onComplete(done -> {
      vertx.cancelTimer(total);
      vertx.cancelTimer(firstByte);
    }).onSuccess(response -> LOG.debug("Upstream answered: model={} after={}ms", model.name(),
        System.currentTimeMillis() - start)).onFailure(failure -> log(model, start, failure));
  }

  @Override
  public Future<ChatStream> stream(ProviderCall call) {
    ModelConfig model = call.model();
    Promise<ChatStream> opened = Promise.promise();
    Buffer body = format.body(call, true).toBuffer();
    long start = System.currentTimeMillis();
    long headTimer = vertx.setTimer(Math.max(1, model.connection().firstTokenTimeout().toMillis()),
        id -> opened.tryFail(UpstreamErrors.timeout(model, "no first token within "
            + model.connection().firstTokenTimeout())));
    // Until the first chunk, a client that leaves stops the call here; afterwards ChatStream.cancel() does.
    call.cancelled().onComplete(cancelled -> opened.tryFail(ProviderCall.CANCELLED.toException()));
    withSlot(model, call, opened, release -> send(model, body).onComplete(sent -> {
      // The slot is held until the exchange is over: the response ended, or failed, or was reset.
      opened.future().onFailure(failure -> release.run());
      if (sent.failed()) {
        opened.tryFail(UpstreamErrors.network(model, sent.cause()));
        return;
      }
      HttpClientRequest request = sent.result();
      opened.future().onFailure(failure -> request.reset());
      request.response().onComplete(result -> {
        if (result.succeeded()) {
          result.result().end().onComplete(ended -> release.run());
        } else {
          release.run();
        }
        if (opened.future().isComplete()) {
          return;
        }
        if (result.failed()) {
          opened.tryFail(UpstreamErrors.network(model, result.cause()));
          return;
        }
        HttpClientResponse response = result.result();
        int status = response.statusCode();
        if (status / 100 != 2) {
          response.body().onComplete(errorBody -> opened.tryFail(errorBody.succeeded()
              ? UpstreamErrors.fromResponse(model, status, response.headers(), errorBody.result())
              : UpstreamErrors.network(model, errorBody.cause())));
          return;
        }
        vertx.cancelTimer(headTimer);
        long elapsed = System.currentTimeMillis() - start;
        new SseChatStream(vertx, model, request, response, format.translator(call), opened,
            model.connection().firstTokenTimeout().toMillis() - elapsed, model.timeout().toMillis() - elapsed);
      });
    }));
    return opened.future().onComplete(done -> vertx.cancelTimer(headTimer))
        .onSuccess(stream -> LOG.debug("Upstream stream opened: model={} after={}ms", model.name(),
            System.currentTimeMillis() - start)).onFailure(failure -> log(model, start, failure));
  }

  /** Sends the request; the future completes once the body is written, the response arrives later. */
  private Future<HttpClientRequest> send(ModelConfig model, Buffer body) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(format.url(model))
        .setConnectTimeout(model.connection().connectTimeout().toMillis())
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.ACCEPT, "application/json, text/event-stream");
    format.headers(model).forEach(options::putHeader);
    model.connection().headers().forEach(options::putHeader);
    return client(model).request(options).compose(request -> {
      request.end(body);
      return Future.succeededFuture(request);
    });
  }

  /**
   * Runs {@code exchange} with a slot of the node's pool of this upstream (it gets the slot's release),
   * or fails {@code result} with 503 upstream_pool_exhausted after pool_wait_timeout. A call that ended
   * while it waited (timeout, client gone) gives the slot straight back.
   */
  private void withSlot(ModelConfig model, ProviderCall call, Promise<?> result, Consumer<Runnable> exchange) {
    pools.computeIfAbsent(model, m -> UpstreamPool.of(vertx, m, meters)).acquire(vertx, call.cancelled())
        .onFailure(result::tryFail)
        .onSuccess(release -> {
          if (result.future().isComplete()) {
            release.run();
          } else {
            exchange.accept(release);
          }
        });
  }

  /**
   * One client per upstream shared by every dispatch verticle of the node (a shared, named client), so
   * pool_size bounds the node's connections to it. With {@code http2}, HTTP/2 is negotiated by ALPN over
   * TLS and spoken with prior knowledge over plain http.
   */
  private HttpClientAgent client(ModelConfig model) {
    return clients.computeIfAbsent(model, m -> {
      ModelConfig.Connection connection = m.connection();
      HttpClientOptions options = new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true)
          .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, connection.connectTimeout().toMillis()))
          .setShared(true).setName("poncho-upstream:" + Integer.toHexString(UpstreamPool.key(m).hashCode()) + ":"
              + m.name());
      if (connection.http2()) {
        options.setProtocolVersion(HttpVersion.HTTP_2).setUseAlpn(true).setHttp2ClearTextUpgrade(false)
            .setHttp2MultiplexingLimit(UpstreamPool.HTTP2_STREAMS_PER_CONNECTION);
      }
      return vertx.httpClientBuilder().with(options)
          .with(new PoolOptions().setHttp1MaxSize(connection.poolSize()).setHttp2MaxSize(connection.poolSize()))
          .build();
    });
  }

  private static void log(ModelConfig model, long start, Throwable failure) {
    LOG.debug("Upstream call failed: model={} after={}ms: {}",
        model.name(), System.currentTimeMillis() - start, failure.getMessage());
  }

  @Override
  public Future<Void> close() {
    return Future.all(clients.values().stream().map(HttpClientAgent::close).toList()).mapEmpty();
  }
}
