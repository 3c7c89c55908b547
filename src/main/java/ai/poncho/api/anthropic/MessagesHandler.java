package ai.poncho.api.anthropic;

import ai.poncho.bus.Addresses;
import ai.poncho.bus.PromptExecution;
import ai.poncho.bus.RemoteChatStream;
import ai.poncho.cache.CacheControl;
import ai.poncho.chat.ChatRequest;
import ai.poncho.chat.ChatResponse;
import ai.poncho.chat.Ids;
import ai.poncho.chat.TokenCount;
import ai.poncho.config.ModelConfig;
import ai.poncho.config.PonchoConfig;
import ai.poncho.error.ErrorKind;
import ai.poncho.error.GatewayError;
import ai.poncho.error.GatewayException;
import ai.poncho.http.ChatCompletionsHandler;
import ai.poncho.http.CostHeaders;
import ai.poncho.http.GatewayOverhead;
import ai.poncho.http.CompletionCall;
import ai.poncho.http.JsonBody;
import ai.poncho.http.RequestContext;
import ai.poncho.http.SseWriter;
import ai.poncho.security.Caller;
import ai.poncho.security.Permissions;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/**
 * The Anthropic Messages API inbound: {@code POST /v1/messages} (JSON or SSE) and
 * {@code POST /v1/messages/count_tokens}. Requests become canonical chat requests and take the same bus
 * path as {@code /v1/chat/completions} (dispatch, or prompt execution for {@code prompt:<name>}), so any
 * configured model serves them with retries, fallbacks and metrics. {@code anthropic-version} is
 * accepted whatever its value; failures get Anthropic's error shape from the router's error handler.
 */
public final class MessagesHandler {

  private final Vertx vertx;
  private final DeliveryOptions delivery;
  private final int streamWindow;
  private final long timeoutMs;
  private final long pingIntervalMs;
  private final Map<String, ModelConfig> models;

  public MessagesHandler(Vertx vertx, PonchoConfig config) {
    this.vertx = vertx;
    this.timeoutMs = config.http().requestTimeout().toMillis();
    this.delivery = new DeliveryOptions().setSendTimeout(timeoutMs);
    this.streamWindow = config.dispatch().streamWindow();
    this.pingIntervalMs = config.api().pingInterval().toMillis();
    this.models = config.models();
  }

  public void create(RoutingContext ctx) {
    ChatRequest request = AnthropicRequests.chat(JsonBody.object(ctx));
    Permissions.requireModels(Caller.of(ctx), request);
    boolean prompt = PromptExecution.isPrompt(request.model());
    String requestId = RequestContext.id(ctx);
    ctx.response().putHeader("request-id", requestId);
    if (request.stream()) {
      String address = prompt ? Addresses.PROMPT_STREAM : Addresses.DISPATCH_STREAM;
      RemoteChatStream.open(vertx, address, requestId, Caller.of(ctx), CacheControl.of(ctx), request, streamWindow,
              timeoutMs, timeoutMs, SseWriter.clientGone(ctx))
          .onSuccess(stream -> {
            if (ctx.response().closed()) {
              stream.cancel();
            } else {
              GatewayOverhead.streaming(ctx, stream);
              new AnthropicStreamWriter(vertx, ctx.response(), stream, Ids.random("msg_"), TokenCount.rough(request),
                  pingIntervalMs).run();
            }
          })
          .onFailure(ctx::fail);
      return;
    }
    CompletionCall.send(vertx, ctx, prompt ? Addresses.PROMPT_COMPLETE : Addresses.DISPATCH_COMPLETE, request,
            delivery)
        .onSuccess(reply -> {
          ChatResponse response = reply.body();
          ChatCompletionsHandler.cacheHeader(ctx, reply.headers().get(Addresses.CACHE_HEADER));
          CostHeaders.apply(reply, ctx.response());
          GatewayOverhead.answered(ctx, reply);
          ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
              .putHeader(ChatCompletionsHandler.MODEL_HEADER, response.model())
              .end(AnthropicMessages.message(response).toBuffer());
        })
        .onFailure(ctx::fail);
  }

  /** The gateway's own estimate (JTokkit), counted on a worker: a large prompt costs real CPU. */
  public void countTokens(RoutingContext ctx) {
    ChatRequest request = AnthropicRequests.chat(JsonBody.object(ctx), false);
    ModelConfig model = models.get(request.model());
    if (model == null && !PromptExecution.isPrompt(request.model())) {
      throw new GatewayException(GatewayError.of(ErrorKind.NOT_FOUND, "model_not_found", "model",
          "The model '" + request.model() + "' does not exist or you do not have access to it."));
    }
    if (model != null && model.type() != ModelConfig.ModelType.CHAT) {
      throw new GatewayException(GatewayError.of(ErrorKind.INVALID_REQUEST, "model_type_mismatch", "model",
          "The model '" + model.name() + "' is an embedding model and cannot be used for messages."));
    }
    ctx.response().putHeader("request-id", RequestContext.id(ctx));
    vertx.executeBlocking(() -> TokenCount.of(request), false)
        .onSuccess(tokens -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .end(new JsonObject().put("input_tokens", tokens).toBuffer()))
        .onFailure(ctx::fail);
  }
}
