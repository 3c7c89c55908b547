package ai.poncho.http;

import ai.poncho.bus.Addresses;
import ai.poncho.bus.CompletionEvent;
import ai.poncho.bus.PromptExecution;
import ai.poncho.bus.RemoteChatStream;
import ai.poncho.cache.CacheControl;
import ai.poncho.chat.ChatJson;
import ai.poncho.chat.ChatRequest;
import ai.poncho.chat.ChatResponse;
import ai.poncho.config.PonchoConfig;
import ai.poncho.metrics.MetricsVerticle;
import ai.poncho.prompt.StreamedOutput;
import ai.poncho.security.Caller;
import ai.poncho.security.Permissions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /v1/chat/completions}: validates the request, sends it over the bus (to prompt execution
 * for {@code prompt:<name>} models, to dispatch otherwise) and answers as JSON or as SSE.
 */
public final class ChatCompletionsHandler {

  /** Names the model that actually served the request (after fallbacks). */
  public static final String MODEL_HEADER = "x-poncho-model";
  /** What the response cache did for this answer: {@code hit}, {@code miss} or {@code bypass}. */
  public static final String CACHE_HEADER = "x-poncho-cache";

  private static final String STARTED_KEY = "poncho.chat.started";
  private static final String MODEL_KEY = "poncho.chat.model";
  private static final String STREAM_KEY = "poncho.chat.stream";

  private final Vertx vertx;
  private final DeliveryOptions delivery;
  private final int streamWindow;
  private final long timeoutMs;

  public ChatCompletionsHandler(Vertx vertx, PonchoConfig config) {
    this.vertx = vertx;
    this.timeoutMs = config.http().requestTimeout().toMillis();
    this.delivery = new DeliveryOptions().setSendTimeout(timeoutMs);
    this.streamWindow = config.dispatch().streamWindow();
  }

  public void handle(RoutingContext ctx) {
    ctx.put(STARTED_KEY, System.nanoTime());
    JsonObject json = JsonBody.object(ctx);
    ctx.put(MODEL_KEY, json.getValue("model") instanceof String name ? name : MetricsVerticle.UNKNOWN_MODEL);
    ctx.put(STREAM_KEY, Boolean.TRUE.equals(json.getValue("stream")));
    ChatRequest request = ChatJson.request(json);
    Permissions.requireModels(Caller.of(ctx), request);
    boolean prompt = PromptExecution.isPrompt(request.model());
    String requestId = RequestContext.id(ctx);
    if (request.stream()) {
      String address = prompt ? Addresses.PROMPT_STREAM : Addresses.DISPATCH_STREAM;
      SseWriter.respond(ctx, RemoteChatStream.open(vertx, address, requestId, Caller.of(ctx), CacheControl.of(ctx),
          request, streamWindow, timeoutMs, timeoutMs, SseWriter.clientGone(ctx)), request.includeUsage());
      return;
    }
    CompletionCall.send(vertx, ctx, prompt ? Addresses.PROMPT_COMPLETE : Addresses.DISPATCH_COMPLETE, request,
            delivery)
        .onSuccess(reply -> {
          ChatResponse response = reply.body();
          cacheHeader(ctx, reply.headers().get(Addresses.CACHE_HEADER));
          CostHeaders.apply(reply, ctx.response());
          GatewayOverhead.answered(ctx, reply);
          String output = reply.headers().get(Addresses.PROMPT_OUTPUT_HEADER);
          // A JSON-output prompt run through the shortcut answers as the prompt API does.
          Buffer body = output == null ? response.toBuffer()
              : response.toJson().mergeIn(StreamedOutput.fields(new JsonObject(output))).toBuffer();
          ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
              .putHeader(MODEL_HEADER, response.model())
              .end(body);
        })
        .onFailure(ctx::fail);
  }

  /** Sets {@code x-poncho-cache} when the cache said what it did. */
  public static void cacheHeader(RoutingContext ctx, String status) {
    if (status != null) {
      ctx.response().putHeader(CACHE_HEADER, status);
    }
  }

  /**
   * Counts a request the gateway refused before any model call (bad body, wrong content type, too large):
   * dispatch and prompt execution count everything that reached them, so each request is counted once.
   */
  public void countRejected(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    boolean countedDownstream = failure instanceof ReplyException reply
        && reply.failureType() == ReplyFailure.RECIPIENT_FAILURE;
    if (!countedDownstream) {
      int status = failure != null ? ErrorResponder.errorOf(ctx).status() : ctx.statusCode();
      Long started = ctx.get(STARTED_KEY);
      String model = ctx.get(MODEL_KEY);
      Caller caller = Caller.of(ctx);
      vertx.eventBus().publish(Addresses.METRICS_COMPLETION, new CompletionEvent(
          model == null ? MetricsVerticle.UNKNOWN_MODEL : model, "none", status > 0 ? status : 500,
          Boolean.TRUE.equals(ctx.get(STREAM_KEY)), started == null ? 0 : System.nanoTime() - started, 0, 0, 0, null,
          RequestContext.id(ctx), caller.keyId(), caller.team()));
    }
    ctx.next();
  }
}
