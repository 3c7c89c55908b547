package ai.poncho.tracing;

import ai.poncho.bus.StreamOutcome;
import ai.poncho.chat.ChatMessage;
import ai.poncho.chat.ChatRequest;
import ai.poncho.chat.ChatResponse;
import ai.poncho.chat.Usage;
import ai.poncho.config.ModelConfig;
import ai.poncho.error.Errors;
import ai.poncho.error.GatewayError;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.vertx.core.json.JsonArray;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's spans and their attributes, after the OpenTelemetry GenAI semantic conventions
 * ({@code gen_ai.*}) plus PonchoAI's own ({@code poncho.*}). One {@code dispatch} span per call on the
 * dispatch side (which model was asked, by which key, what the cache did) and under it one span per
 * upstream attempt, named {@code chat <model>} as the conventions name an inference, with its retry
 * position and the model it fell back from; the upstream HTTP client span is the attempt's child.
 */
public final class GenAiSpans {

  public static final String CHAT = "chat";
  public static final String EMBEDDINGS = "embeddings";

  static final AttributeKey<String> OPERATION = AttributeKey.stringKey("gen_ai.operation.name");
  static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("gen_ai.system");
  static final AttributeKey<String> PROVIDER = AttributeKey.stringKey("gen_ai.provider.name");
  static final AttributeKey<String> REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
  static final AttributeKey<String> RESPONSE_MODEL = AttributeKey.stringKey("gen_ai.response.model");
  static final AttributeKey<Double> TEMPERATURE = AttributeKey.doubleKey("gen_ai.request.temperature");
  static final AttributeKey<Long> MAX_TOKENS = AttributeKey.longKey("gen_ai.request.max_tokens");
  static final AttributeKey<Long> INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
  static final AttributeKey<Long> OUTPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.output_tokens");
  static final AttributeKey<List<String>> FINISH_REASONS =
      AttributeKey.stringArrayKey("gen_ai.response.finish_reasons");
  static final AttributeKey<String> RESPONSE_ID = AttributeKey.stringKey("gen_ai.response.id");
  static final AttributeKey<String> INPUT_MESSAGES = AttributeKey.stringKey("gen_ai.input.messages");
  static final AttributeKey<String> OUTPUT_MESSAGES = AttributeKey.stringKey("gen_ai.output.messages");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  static final AttributeKey<String> KEY_ID = AttributeKey.stringKey("poncho.key_id");
  static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("poncho.request_id");
  static final AttributeKey<String> CACHE = AttributeKey.stringKey("poncho.cache");
  static final AttributeKey<String> MODEL = AttributeKey.stringKey("poncho.model");
  static final AttributeKey<String> DEPLOYMENT = AttributeKey.stringKey("poncho.deployment");
  static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("poncho.attempt");
  static final AttributeKey<Long> RETRY = AttributeKey.longKey("poncho.retry");
  static final AttributeKey<String> FALLBACK_FROM = AttributeKey.stringKey("poncho.fallback_from");
  static final AttributeKey<String> PROMPT = AttributeKey.stringKey("poncho.prompt");
  static final AttributeKey<String> PROMPT_VARIANT = AttributeKey.stringKey("poncho.prompt.variant");
  static final AttributeKey<Long> DELAY_MS = AttributeKey.longKey("poncho.delay_ms");
  static final AttributeKey<Double> TTFT_MS = AttributeKey.doubleKey("poncho.ttft_ms");

  private GenAiSpans() {
  }

  /** The dispatch span of a call for {@code model} (the requested name) by {@code keyId}, made current. */
  public static Span dispatch(Tracing tracing, String operation, String model, String requestId, String keyId) {
    Span span = tracing.start("dispatch " + model, SpanKind.INTERNAL);
    if (span.isRecording()) {
      span.setAttribute(OPERATION, operation);
      span.setAttribute(REQUEST_MODEL, model);
      span.setAttribute(REQUEST_ID, requestId);
      if (keyId != null) {
        span.setAttribute(KEY_ID, keyId);
      }
    }
    return span;
  }

  /**
   * Ends the current call's dispatch span: served by {@code servedModel}, or failed with {@code failure};
   * {@code cache} is what the response cache did ({@code hit}, {@code miss}, {@code bypass}; null: no cache).
   */
  public static void endDispatch(String servedModel, Throwable failure, String cache) {
    Span span = Tracing.dispatchSpan();
    if (span.isRecording()) {
      if (failure != null) {
        failed(span, failure);
      } else if (servedModel != null) {
        span.setAttribute(RESPONSE_MODEL, servedModel);
      }
      if (cache != null) {
        span.setAttribute(CACHE, cache);
      }
    }
    span.end();
  }

  /** Ends the dispatch span of a stream (the caller holds it: the stream outlives its opening context). */
  public static void endStream(Span dispatch, String servedModel, StreamOutcome outcome, String cache) {
    if (dispatch.isRecording()) {
      dispatch.setAttribute(RESPONSE_MODEL, servedModel);
      if (cache != null) {
        dispatch.setAttribute(CACHE, cache);
      }
      if (outcome.error() != null) {
        dispatch.setStatus(StatusCode.ERROR, outcome.error().message());
        dispatch.setAttribute(ERROR_TYPE, errorType(outcome.error()));
      }
    }
    dispatch.end();
  }

  /**
   * The span of one WebSocket generation, a child of its socket's handshake ({@code handshake}): each
   * generation is a request of its own, with its own request id ({@code <connection id>:<generation id>}).
   */
  public static Span generation(Tracing tracing, io.opentelemetry.context.Context handshake, String requestId,
                                String model) {
    Span span = tracing.start("ws.generation " + model, SpanKind.SERVER, handshake);
    if (span.isRecording()) {
      span.setAttribute(OPERATION, CHAT);
      span.setAttribute(REQUEST_MODEL, model);
      span.setAttribute(REQUEST_ID, requestId);
    }
    return span;
  }

  /** Marks a generation's span failed with the error frame it ends with. */
  public static void generationFailed(Span span, GatewayError error) {
    if (span.isRecording()) {
      span.setStatus(StatusCode.ERROR, error.message());
      span.setAttribute(ERROR_TYPE, errorType(error));
    }
  }

  /**
   * The span of one attempt on {@code deployment} of {@code model}: the call's {@code attempt}-th (from 1),
   * its model's {@code retry}-th retry, {@code fallbackFrom} the model it fell back from (or null).
   */
  public static Span attempt(Tracing tracing, String operation, String model, ModelConfig.Deployment deployment,
                             int attempt, int retry, String fallbackFrom) {
    ModelConfig upstream = deployment.model();
    String upstreamModel = upstream.modelName() != null ? upstream.modelName() : model;
    Span span = tracing.start(operation + " " + upstreamModel, SpanKind.CLIENT);
    if (span.isRecording()) {
      span.setAttribute(OPERATION, operation);
      span.setAttribute(SYSTEM, upstream.provider().id());
      span.setAttribute(PROVIDER, upstream.provider().id());
      span.setAttribute(REQUEST_MODEL, upstreamModel);
      span.setAttribute(MODEL, model);
      span.setAttribute(DEPLOYMENT, deployment.id());
      span.setAttribute(ATTEMPT, attempt);
      span.setAttribute(RETRY, retry);
      if (fallbackFrom != null) {
        span.setAttribute(FALLBACK_FROM, fallbackFrom);
      }
    }
    return span;
  }

  /** The request as the attempt sends it: its sampling settings, its messages when content is captured. */
  public static void request(Span span, ChatRequest request, boolean captureContent) {
    if (!span.isRecording()) {
      return;
    }
    if (request.temperature() != null) {
      span.setAttribute(TEMPERATURE, request.temperature());
    }
    if (request.maxTokens() != null) {
      span.setAttribute(MAX_TOKENS, request.maxTokens().longValue());
    }
    if (captureContent) {
      JsonArray messages = new JsonArray();
      request.messages().forEach(message -> messages.add(message.toJson()));
      span.setAttribute(INPUT_MESSAGES, messages.encode());
    }
  }

  /** Ends an attempt that answered {@code response}. */
  public static void completed(Span span, ChatResponse response, boolean captureContent) {
    if (span.isRecording()) {
      if (response.id() != null) {
        span.setAttribute(RESPONSE_ID, response.id());
      }
      if (response.model() != null) {
        span.setAttribute(RESPONSE_MODEL, response.model());
      }
      usage(span, response.usage());
      List<String> reasons = response.choices().stream().map(ChatResponse.Choice::finishReason)
          .filter(reason -> reason != null).toList();
      if (!reasons.isEmpty()) {
        span.setAttribute(FINISH_REASONS, reasons);
      }
      if (captureContent) {
        JsonArray messages = new JsonArray();
        response.choices().stream().map(ChatResponse.Choice::message).map(ChatMessage::toJson)
            .forEach(messages::add);
        span.setAttribute(OUTPUT_MESSAGES, messages.encode());
      }
    }
    span.end();
  }

  /**
   * Ends a streamed attempt with its outcome; {@code firstChunkNanos} (0: none) is the time from the call's
   * arrival at {@code startNanos} (a {@link System#nanoTime()}) to its first chunk: the time-to-first-token
   * event, placed at that moment.
   */
  public static void streamed(Span span, StreamOutcome outcome, long firstChunkNanos, long startNanos) {
    if (span.isRecording()) {
      if (firstChunkNanos > 0) {
        long at = TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis()) - (System.nanoTime() - startNanos)
            + firstChunkNanos;
        span.addEvent("gen_ai.first_token", Attributes.of(TTFT_MS, firstChunkNanos / 1e6), at, TimeUnit.NANOSECONDS);
      }
      usage(span, outcome.usage());
      if (outcome.responseId() != null) {
        span.setAttribute(RESPONSE_ID, outcome.responseId());
      }
      if (outcome.finishReason() != null) {
        span.setAttribute(FINISH_REASONS, List.of(outcome.finishReason()));
      }
      if (outcome.error() != null) {
        span.setStatus(StatusCode.ERROR, outcome.error().message());
        span.setAttribute(ERROR_TYPE, errorType(outcome.error()));
      }
    }
    span.end();
  }

  /** Ends an embeddings attempt that read {@code inputTokens}. */
  public static void embedded(Span span, int inputTokens) {
    span.setAttribute(INPUT_TOKENS, inputTokens);
    span.end();
  }

  private static void usage(Span span, Usage usage) {
    if (usage != null) {
      span.setAttribute(INPUT_TOKENS, usage.promptTokens());
      span.setAttribute(OUTPUT_TOKENS, usage.completionTokens());
    }
  }

  /** Marks {@code span} failed with {@code failure} and its error type (the gateway's error code or status). */
  public static void failed(Span span, Throwable failure) {
    if (span.isRecording()) {
      GatewayError error = Errors.toGatewayError(failure);
      span.setStatus(StatusCode.ERROR, error.message());
      span.setAttribute(ERROR_TYPE, errorType(error));
    }
  }

  /** Ends a failed attempt. */
  public static void attemptFailed(Span span, Throwable failure) {
    failed(span, failure);
    span.end();
  }

  /** Ends a {@code prompt.render} span: the prompt (and variant) rendered, or why it could not be. */
  public static void rendered(Span span, String prompt, String variant, Throwable failure) {
    if (span.isRecording()) {
      if (failure == null) {
        span.setAttribute(PROMPT, prompt);
        if (variant != null) {
          span.setAttribute(PROMPT_VARIANT, variant);
        }
      } else {
        failed(span, failure);
      }
    }
    span.end();
  }

  /** A retry of the current call after {@code delayMs}, as an event on its dispatch span. */
  public static void retrying(String model, String deployment, int retry, long delayMs) {
    Tracing.dispatchSpan().addEvent("poncho.retry", Attributes.of(MODEL, model, DEPLOYMENT, deployment,
        RETRY, (long) retry, DELAY_MS, delayMs));
  }

  /** A fallback of the current call from {@code from} to {@code to}, as an event on its dispatch span. */
  public static void fallingBack(String from, String to, Throwable cause) {
    Tracing.dispatchSpan().addEvent("poncho.fallback", Attributes.of(FALLBACK_FROM, from, MODEL, to,
        ERROR_TYPE, errorType(Errors.toGatewayError(cause))));
  }

  /** Every deployment of {@code model} had an open circuit: the breaker turned the attempt away. */
  public static void circuitOpen(String model) {
    Tracing.dispatchSpan().addEvent("poncho.circuit_open", Attributes.of(MODEL, model));
  }

  private static String errorType(GatewayError error) {
    return error.code() != null ? error.code() : Integer.toString(error.status());
  }
}
