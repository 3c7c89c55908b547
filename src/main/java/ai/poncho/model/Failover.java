package ai.poncho.model;

import ai.poncho.chat.ChatRequest;
import ai.poncho.chat.ChatResponse;
import ai.poncho.chat.ChatStream;
import ai.poncho.config.ModelConfig;
import ai.poncho.embedding.EmbeddingRequest;
import ai.poncho.embedding.EmbeddingResponse;
import ai.poncho.error.ErrorKind;
import ai.poncho.error.Errors;
import ai.poncho.error.GatewayError;
import ai.poncho.error.GatewayException;
import ai.poncho.provider.ChatProvider;
import ai.poncho.provider.EmbeddingCall;
import ai.poncho.provider.ProviderCall;
import ai.poncho.provider.Providers;
import ai.poncho.provider.http.UpstreamException;
import ai.poncho.provider.http.UpstreamPool;
import ai.poncho.tracing.GenAiSpans;
import ai.poncho.tracing.Tracing;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a request against its model with retries, circuit breakers, load balancing and fallbacks.
 * Each attempt picks a deployment (skipping open circuits); a retryable failure (connection error,
 * 408, 429, 449, 5xx, timeout) is retried after a backoff; when the model's retries are spent, its
 * circuits are open or it timed out, the next model of its {@code fallbacks} is tried. Other failures
 * end the request at once. A stream counts as served once its first chunk exists, before anything has
 * reached the client, so nothing already sent is ever retried.
 */
final class Failover {

  private static final Logger LOG = LoggerFactory.getLogger(Failover.class);

  private final Vertx vertx;
  private final ModelRegistry registry;
  private final Providers providers;
  private final DeploymentStates states;
  private final AttemptMeters meters;
  private final Tracing tracing;

  Failover(Vertx vertx, ModelRegistry registry, Providers providers, DeploymentStates states, AttemptMeters meters,
           Tracing tracing) {
    this.vertx = vertx;
    this.tracing = tracing;
    this.registry = registry;
    this.providers = providers;
    this.states = states;
    this.meters = meters;
  }

  /** {@code cancelled} completes when the client left; the call then ends without retry or fallback. */
  Future<Served<ChatResponse>> complete(String requestId, ChatRequest request, Future<Void> cancelled) {
    return run(requestId, request, cancelled, ChatProvider::complete).onSuccess(Served::done);
  }

  /**
   * The caller must call {@link Served#done()} when the stream has ended. {@code cancelled} stops it
   * while it opens; an open stream stops through its cancel().
   */
  Future<Served<ChatStream>> stream(String requestId, ChatRequest request, Future<Void> cancelled) {
    return run(requestId, request, cancelled, ChatProvider::stream);
  }

  /** Embeddings take the same way: balancing, retries, circuit breakers and fallbacks (to embedding models). */
  Future<Served<EmbeddingResponse>> embed(String requestId, EmbeddingRequest request, Future<Void> cancelled) {
    Work<EmbeddingRequest, EmbeddingResponse> work = new Work<>() {
      @Override
      public String operation() {
        return GenAiSpans.EMBEDDINGS;
      }

      @Override
      public EmbeddingRequest admit(ModelConfig model, EmbeddingRequest original) {
        registry.admitEmbedding(model);
        return model.name().equals(original.model()) ? original : original.withModel(model.name());
      }

      @Override
      public Future<EmbeddingResponse> call(ModelConfig deployment, EmbeddingRequest admitted) {
        return providers.embeddingsFor(deployment).embed(new EmbeddingCall(requestId, deployment, admitted,
            cancelled));
      }
    };
    return run(requestId, request.model(), request, work).onSuccess(Served::done);
  }

  private <T> Future<Served<T>> run(String requestId, ChatRequest request, Future<Void> cancelled,
                                    BiFunction<ChatProvider, ProviderCall, Future<T>> operation) {
    Work<ChatRequest, T> work = new Work<>() {
      @Override
      public String operation() {
        return GenAiSpans.CHAT;
      }

      @Override
      public void describe(Span span, ChatRequest admitted) {
        GenAiSpans.request(span, admitted, tracing.captureContent());
      }

      @Override
      public ChatRequest admit(ModelConfig model, ChatRequest original) {
        return registry.admit(model, model.name().equals(original.model()) ? original
            : original.withModel(model.name()));
      }

      @Override
      public Future<T> call(ModelConfig deployment, ChatRequest admitted) {
        return operation.apply(providers.forModel(deployment), new ProviderCall(requestId, deployment, admitted,
            cancelled));
      }
    };
    return run(requestId, request.model(), request, work);
  }

  /** How one kind of call fits a model and runs on one of its deployments. */
  private interface Work<R, T> {

    /** The GenAI operation name of the attempts' spans. */
    String operation();

    /** Puts what the attempt sends on its span. */
    default void describe(Span span, R admitted) {
    }

    /** The request as {@code model} takes it, or a GatewayException when the model cannot. */
    R admit(ModelConfig model, R original);

    Future<T> call(ModelConfig deployment, R admitted);
  }

  /** Resolves and admits the requested model synchronously, so a bad request fails before any upstream call. */
  private <R, T> Future<Served<T>> run(String requestId, String modelName, R request, Work<R, T> work) {
    ModelConfig primary = registry.resolve(modelName);
    R admitted = work.admit(primary, request);
    List<String> chain = new ArrayList<>();
    chain.add(primary.name());
    chain.addAll(primary.fallbacks());
    Promise<Served<T>> result = Promise.promise();
    new Attempt<>(requestId, request, chain, work, result).model(0, primary, admitted);
    return result.future();
  }

  /** One request's way through its fallback chain. */
  private final class Attempt<R, T> {
    private final String requestId;
    private final R original;
    private final List<String> chain;
    private final Work<R, T> work;
    private final Promise<Served<T>> result;
    private Throwable firstFailure;
    private Throwable lastUpstreamFailure;
    private long upstreamNanos;
    /** Attempts made so far, over every model of the chain. */
    private int attempts;
    /** The model the current one is a fallback of (null for the requested model). */
    private String fallbackFrom;

    Attempt(String requestId, R original, List<String> chain, Work<R, T> work, Promise<Served<T>> result) {
      this.requestId = requestId;
      this.original = original;
      this.chain = chain;
      this.work = work;
      this.result = result;
    }

    void model(int position, ModelConfig model, R admitted) {
      call(position, model, admitted, 0);
    }

    private void call(int position, ModelConfig model, R admitted, int retry) {
      ModelConfig.Deployment deployment = states.balancer().pick(model);
      if (deployment == null) {
        GenAiSpans.circuitOpen(model.name());
        // A circuit that opened during this request's retries is a consequence; the upstream's error is the cause.
        next(position, model, lastUpstreamFailure != null ? lastUpstreamFailure
            : new GatewayException(GatewayError.of(ErrorKind.SERVICE_UNAVAILABLE, "circuit_open", "model",
                "The model '" + model.name() + "' is unavailable: every deployment's circuit is open.")));
        return;
      }
      AtomicInteger outstanding = states.outstanding(deployment);
      outstanding.incrementAndGet();
      AtomicBoolean released = new AtomicBoolean();
      Runnable release = () -> {
        if (released.compareAndSet(false, true)) {
          outstanding.decrementAndGet();
        }
      };
      long began = System.nanoTime();
      Span span = GenAiSpans.attempt(tracing, work.operation(), model.name(), deployment, ++attempts, retry,
          fallbackFrom);
      work.describe(span, admitted);
      // Current until the attempt ends, so the upstream HTTP client span (sent once a connection is free) is its child.
      Scope scope = Tracing.activate(span);
      guarded(deployment, () -> work.call(deployment.model(), admitted))
          .onComplete(done -> {
            scope.close();
            upstreamNanos += System.nanoTime() - began;
          })
          .onSuccess(value -> result.complete(new Served<>(value, model.name(), deployment, release, upstreamNanos,
              span)))
          .onFailure(failure -> {
            release.run();
            GenAiSpans.attemptFailed(span, failure);
            onFailure(position, model, admitted, retry, deployment, failure);
          });
    }

    private Future<T> guarded(ModelConfig.Deployment deployment, java.util.function.Supplier<Future<T>> call) {
      CircuitBreaker breaker = states.breaker(deployment);
      if (breaker == null) {
        return safely(call);
      }
      return breaker.<T>execute(() -> safely(call)).onSuccess(value -> breaker.reset());
    }

    private Future<T> safely(java.util.function.Supplier<Future<T>> call) {
      try {
        return call.get();
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
    }

    private void onFailure(int position, ModelConfig model, R admitted, int retry,
                           ModelConfig.Deployment deployment, Throwable failure) {
      if (UpstreamPool.isExhausted(failure)) {
        // The wait for a connection already took pool_wait_timeout: no retry here, but a fallback may answer.
        next(position, model, failure);
        return;
      }
      if (!retryable(failure)) {
        fail(failure);
        return;
      }
      if (!(failure instanceof OpenCircuitException)) {
        lastUpstreamFailure = failure;
      }
      long retryAfter = failure instanceof UpstreamException upstream ? upstream.retryAfterMs() : -1;
      long delay = retry < model.retry().maxRetries() ? Backoff.delayMs(model.retry(), retry, retryAfter) : -1;
      LOG.debug("Attempt failed: request={} deployment={} retry={} next delay={}ms: {}", requestId, deployment.id(),
          retry, delay, failure.getMessage());
      if (delay < 0) {
        next(position, model, failure instanceof OpenCircuitException && lastUpstreamFailure != null
            ? lastUpstreamFailure : failure);
        return;
      }
      meters.retried(model.name(), deployment.id());
      GenAiSpans.retrying(model.name(), deployment.id(), retry + 1, delay);
      if (delay == 0) {
        call(position, model, admitted, retry + 1);
      } else {
        // The backoff is spent waiting for the upstream to recover: upstream time, not the gateway's.
        long waiting = System.nanoTime();
        vertx.setTimer(delay, id -> {
          upstreamNanos += System.nanoTime() - waiting;
          call(position, model, admitted, retry + 1);
        });
      }
    }

    /** The model is exhausted: on to the next fallback that can take the request, or fail with the first error. */
    private void next(int position, ModelConfig model, Throwable failure) {
      if (firstFailure == null) {
        firstFailure = failure;
      }
      for (int p = position + 1; p < chain.size(); p++) {
        try {
          ModelConfig fallback = registry.resolve(chain.get(p));
          R admitted = work.admit(fallback, original);
          LOG.info("Falling back: request={} from={} to={} cause={}", requestId, model.name(), fallback.name(),
              failure.getMessage());
          lastUpstreamFailure = null;
          meters.fellBack(model.name(), fallback.name());
          GenAiSpans.fallingBack(model.name(), fallback.name(), failure);
          fallbackFrom = model.name();
          call(p, fallback, admitted, 0);
          return;
        } catch (GatewayException unsuitable) {
          LOG.debug("Fallback {} cannot take request {}: {}", chain.get(p), requestId, unsuitable.getMessage());
        }
      }
      fail(firstFailure);
    }

    private void fail(Throwable failure) {
      result.fail(clientError(failure));
    }
  }

  /** Connection errors, timeouts, 408/429/449/5xx, and a circuit that turned away the call. */
  static boolean retryable(Throwable failure) {
    if (UpstreamPool.isExhausted(failure)) {
      return false;
    }
    if (failure instanceof OpenCircuitException) {
      return true;
    }
    if (failure instanceof UpstreamException upstream) {
      return upstream.retryable();
    }
    int status = Errors.toGatewayError(failure).status();
    return status == 429 || status == 502 || status == 503 || status == 504;
  }

  private static Throwable clientError(Throwable failure) {
    if (failure instanceof UpstreamException upstream) {
      return upstream.toGatewayException();
    }
    if (failure instanceof OpenCircuitException) {
      return new GatewayException(GatewayError.of(ErrorKind.SERVICE_UNAVAILABLE, "circuit_open", "model",
          "The model is unavailable: its circuit is open."));
    }
    return failure;
  }
}
