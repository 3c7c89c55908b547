package ai.poncho.api.responses;

import ai.poncho.bus.Addresses;
import ai.poncho.bus.PromptExecution;
import ai.poncho.bus.RemoteChatStream;
import ai.poncho.cache.CacheControl;
import ai.poncho.chat.ChatRequest;
import ai.poncho.chat.ChatResponse;
import ai.poncho.config.PonchoConfig;
import ai.poncho.error.ErrorKind;
import ai.poncho.error.GatewayError;
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

/**
 * {@code POST /v1/responses}, the stateless subset of OpenAI's Responses API: the request becomes a
 * canonical chat request on the same bus path as chat completions (any configured model, retries,
 * fallbacks, metrics); the answer is a {@code response} object, or its typed event stream.
 */
public final class ResponsesHandler {

  private final Vertx vertx;
  private final DeliveryOptions delivery;
  private final int streamWindow;
  private final long timeoutMs;

  public ResponsesHandler(Vertx vertx, PonchoConfig config) {
    this.vertx = vertx;
    this.timeoutMs = config.http().requestTimeout().toMillis();
    this.delivery = new DeliveryOptions().setSendTimeout(timeoutMs);
    this.streamWindow = config.dispatch().streamWindow();
  }

  /** {@code GET} / {@code DELETE /v1/responses/{id}}: nothing is stored, so no response can be found. */
  public void notStored(RoutingContext ctx) {
    ctx.fail(GatewayError.of(ErrorKind.NOT_FOUND, "response_not_found", "response_id", "No response with id '"
        + ctx.pathParam("id") + "' is stored: this gateway's Responses API is stateless (store: false).")
        .toException());
  }

  public void create(RoutingContext ctx) {
    JsonObject body = JsonBody.object(ctx);
    ChatRequest request = ResponsesRequests.chat(body);
    Permissions.requireModels(Caller.of(ctx), request);
    ResponseObject object = new ResponseObject(body);
    boolean prompt = PromptExecution.isPrompt(request.model());
    String requestId = RequestContext.id(ctx);
    if (request.stream()) {
      String address = prompt ? Addresses.PROMPT_STREAM : Addresses.DISPATCH_STREAM;
      RemoteChatStream.open(vertx, address, requestId, Caller.of(ctx), CacheControl.of(ctx), request, streamWindow,
              timeoutMs, timeoutMs, SseWriter.clientGone(ctx))
          .onSuccess(stream -> {
            if (ctx.response().closed()) {
              stream.cancel();
            } else {
              GatewayOverhead.streaming(ctx, stream);
              new ResponsesStreamWriter(ctx.response(), stream, object).run();
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
              .end(object.of(response).toBuffer());
        })
        .onFailure(ctx::fail);
  }
}
