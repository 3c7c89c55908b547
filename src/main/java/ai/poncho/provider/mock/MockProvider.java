package ai.poncho.provider.mock;

import ai.poncho.chat.ChatMessage;
import ai.poncho.chat.ChatResponse;
import ai.poncho.chat.ChatStream;
import ai.poncho.chat.Ids;
import ai.poncho.error.ErrorKind;
import ai.poncho.error.GatewayError;
import ai.poncho.provider.ChatProvider;
import ai.poncho.provider.ProviderCall;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The built-in model: deterministic completions with configurable latency and fault injection, so
 * tests, demos and load tests need no API key. It meters what it produces
 * ({@code poncho_mock_chunks_produced_total}, {@code poncho_mock_streams_cancelled_total}).
 */
public final class MockProvider implements ChatProvider {

  private static final int LONG_REPLY_TOKENS = 50_000;

  private final Vertx vertx;
  private final MockSettings defaults;
  private final MeterRegistry registry;
  private final Map<String, StreamCounters> counters = new ConcurrentHashMap<>();
  private final Map<String, Counter> completionsCancelled = new ConcurrentHashMap<>();

  private record StreamCounters(Counter produced, Counter cancelled) {
  }

  public MockProvider(Vertx vertx, MockSettings defaults, MeterRegistry registry) {
    this.vertx = vertx;
    this.defaults = defaults;
    this.registry = registry;
  }

  @Override
  public Future<ChatResponse> complete(ProviderCall call) {
    MockSettings settings = settings(call);
    if (settings.errorStatus() > 0) {
      return cancellable(call, settings.latencyMs(), () -> Future.failedFuture(injected(settings.errorStatus())),
          () -> completionCancelled(call));
    }
    if (settings.failAfterChunks() > 0) {
      return cancellable(call, settings.latencyMs(), () -> Future.failedFuture(GatewayError.of(
          ErrorKind.SERVER_ERROR, "upstream_error", null, "The mock upstream failed (mock_fail_after_chunks).")
          .toException()), () -> completionCancelled(call));
    }
    MockReply reply = MockReply.plan(call.request(), settings, Ids.random("call_"));
    // A long answer is written on a worker: building megabytes of text would hold the event loop.
    return cancellable(call, settings.latencyMs(), () -> reply.produced() > LONG_REPLY_TOKENS
        ? vertx.executeBlocking(() -> response(call, reply), false)
        : Future.succeededFuture(response(call, reply)), () -> completionCancelled(call));
  }

  private static ChatResponse response(ProviderCall call, MockReply reply) {
    ChatMessage message = new ChatMessage(ChatMessage.ASSISTANT, reply.content(), null, null,
        reply.toolCall() == null ? null : List.of(reply.toolCall()), null);
    return new ChatResponse(Ids.completionId(), System.currentTimeMillis() / 1000,
        call.request().model(), List.of(new ChatResponse.Choice(0, message, reply.finishReason(), reply.stopSequence())),
        reply.usage(),
        null);
  }

  @Override
  public Future<ChatStream> stream(ProviderCall call) {
    MockSettings settings = settings(call);
    if (settings.errorStatus() > 0) {
      return Future.failedFuture(injected(settings.errorStatus()));
    }
    MockReply reply = MockReply.plan(call.request(), settings, Ids.random("call_"));
    String model = call.request().model();
    StreamCounters streamCounters = counters.computeIfAbsent(model, this::countersFor);
    // As with a real upstream, the stream exists once its first chunk does: after the time to first token.
    return cancellable(call, settings.ttftMs(), () -> Future.succeededFuture(new MockStream(vertx, reply, settings,
        Ids.completionId(), System.currentTimeMillis() / 1000, model, streamCounters.produced(),
        streamCounters.cancelled())), streamCounters.cancelled()::increment);
  }

  private StreamCounters countersFor(String model) {
    return new StreamCounters(
        Counter.builder("poncho.mock.chunks.produced").tag("model", model)
            .description("Content chunks the mock model produced").register(registry),
        Counter.builder("poncho.mock.streams.cancelled").tag("model", model)
            .description("Mock streams cancelled before their end").register(registry));
  }

  private MockSettings settings(ProviderCall call) {
    return defaults.withModelParams(call.model().customParams()).withRequestMetadata(call.request().metadata());
  }

  private static Throwable injected(int status) {
    return GatewayError.of(ErrorKind.ofUpstreamStatus(status), "upstream_error", null,
        "The mock upstream answered with status " + status + " (mock_error_status).").toException();
  }

  /** The result after {@code delayMs}; a client that leaves during the delay stops it ({@code onCancel} counts it). */
  private <T> Future<T> cancellable(ProviderCall call, long delayMs, java.util.function.Supplier<Future<T>> result,
                                    Runnable onCancel) {
    if (delayMs <= 0) {
      return result.get();
    }
    Promise<T> promise = Promise.promise();
    long timer = vertx.setTimer(delayMs, id -> result.get().onComplete(promise));
    call.cancelled().onComplete(cancelled -> {
      if (vertx.cancelTimer(timer)) {
        onCancel.run();
        promise.tryFail(ProviderCall.CANCELLED.toException());
      }
    });
    return promise.future();
  }

  private void completionCancelled(ProviderCall call) {
    completionsCancelled.computeIfAbsent(call.request().model(), model -> Counter.builder(
            "poncho.mock.completions.cancelled").tag("model", model)
        .description("Non-streamed mock completions whose client left before the answer").register(registry))
        .increment();
  }
}
