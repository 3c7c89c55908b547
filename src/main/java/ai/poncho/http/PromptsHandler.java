package ai.poncho.http;

import ai.poncho.bus.Addresses;
import ai.poncho.bus.PromptExecution;
import ai.poncho.bus.RemoteChatStream;
import ai.poncho.cache.CacheControl;
import ai.poncho.chat.ChatJson;
import ai.poncho.chat.ChatRequest;
import ai.poncho.config.PonchoConfig;
import ai.poncho.logging.RequestLog;
import ai.poncho.prompt.StreamedOutput;
import ai.poncho.security.AuthErrors;
import ai.poncho.security.Caller;
import ai.poncho.security.Permissions;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The prompt API, all of it answered by the prompt verticle over the bus: {@code GET /api/v1/prompts},
 * {@code GET /api/v1/prompts/{name}}, {@code POST /api/v1/prompts/{name}/render} (dry run) and
 * {@code POST /api/v1/prompts/{name}/execute} (JSON or SSE). Names may contain '/' (sub-folders).
 */
public final class PromptsHandler {

  /** A prompt name; its slashes may also come percent-encoded ({@code fashion%2Fsketch}). */
  private static final String NAME = "(?<name>[A-Za-z0-9_%-]+(?:/[A-Za-z0-9_%-]+)*)";

  private final Vertx vertx;
  private final DeliveryOptions delivery;
  private final int streamWindow;
  private final long timeoutMs;

  public PromptsHandler(Vertx vertx, PonchoConfig config) {
    this.vertx = vertx;
    this.timeoutMs = config.http().requestTimeout().toMillis();
    this.delivery = new DeliveryOptions().setSendTimeout(timeoutMs);
    this.streamWindow = config.dispatch().streamWindow();
  }

  public void mount(Router router, BodyHandler body) {
    // One route per endpoint (as for chat completions), so the metrics' route label names the endpoint.
    router.get("/api/v1/prompts").handler(this::list);
    router.postWithRegex("/api/v1/prompts/" + NAME + "/render").handler(body)
        .handler(JsonBody::requireJsonContentType).handler(this::render);
    router.postWithRegex("/api/v1/prompts/" + NAME + "/execute").handler(body)
        .handler(JsonBody::requireJsonContentType).handler(this::execute);
    router.getWithRegex("/api/v1/prompts/" + NAME).handler(this::get);
  }

  /** Lists only the prompts the caller's key may run ({@code prompt:<name>} in its model allow-list). */
  private void list(RoutingContext ctx) {
    Caller caller = Caller.of(ctx);
    vertx.eventBus().<JsonObject>request(Addresses.PROMPT_LIST, null, delivery)
        .onSuccess(reply -> {
          JsonObject body = reply.body();
          if (!caller.models().allowsAll() && body.getValue("data") instanceof JsonArray data) {
            JsonArray allowed = new JsonArray();
            data.stream().filter(prompt -> prompt instanceof JsonObject json
                && caller.mayUse(PromptExecution.MODEL_PREFIX + json.getString("name"))).forEach(allowed::add);
            body = body.copy().put("data", allowed);
          }
          json(ctx, body);
        })
        .onFailure(ctx::fail);
  }

  /** One prompt; 403 {@code model_not_allowed} for a prompt outside the caller's allow-list, as for models. */
  private void get(RoutingContext ctx) {
    String model = PromptExecution.MODEL_PREFIX + ctx.pathParam("name");
    if (!Caller.of(ctx).mayUse(model)) {
      ctx.fail(AuthErrors.modelNotAllowed(model));
      return;
    }
    vertx.eventBus().<JsonObject>request(Addresses.PROMPT_GET, new JsonObject().put("name", ctx.pathParam("name")),
            delivery)
        .onSuccess(reply -> json(ctx, reply.body()))
        .onFailure(ctx::fail);
  }

  private void render(RoutingContext ctx) {
    ChatRequest request = run(ctx);
    vertx.eventBus().<JsonObject>request(Addresses.PROMPT_RENDER, request.toJson(), delivery)
        .onSuccess(reply -> json(ctx, reply.body()))
        .onFailure(ctx::fail);
  }

  private void execute(RoutingContext ctx) {
    ChatRequest request = run(ctx);
    String requestId = RequestContext.id(ctx);
    if (request.stream()) {
      SseWriter.respond(ctx, RemoteChatStream.open(vertx, Addresses.PROMPT_STREAM, requestId, Caller.of(ctx),
          CacheControl.of(ctx), request, streamWindow, timeoutMs, timeoutMs, SseWriter.clientGone(ctx)),
          request.includeUsage());
      return;
    }
    CompletionCall.send(vertx, ctx, Addresses.PROMPT_COMPLETE, request, delivery)
        .onSuccess(reply -> {
          JsonObject body = reply.body().toJson();
          String output = reply.headers().get(Addresses.PROMPT_OUTPUT_HEADER);
          if (output != null) {
            body.mergeIn(StreamedOutput.fields(new JsonObject(output)));
          }
          ctx.response().putHeader(ChatCompletionsHandler.MODEL_HEADER, reply.body().model());
          ChatCompletionsHandler.cacheHeader(ctx, reply.headers().get(Addresses.CACHE_HEADER));
          CostHeaders.apply(reply, ctx.response());
          GatewayOverhead.answered(ctx, reply);
          json(ctx, body);
        })
        .onFailure(ctx::fail);
  }

  /**
   * The body as a prompt run ({@link PromptExecution}): its {@code model} is the model override, the prompt
   * is named by the path; {@code input}, {@code context}, {@code variant}, {@code messages} (history),
   * {@code stream} and the usual sampling fields are validated as for chat completions.
   */
  private static ChatRequest run(RoutingContext ctx) {
    JsonObject body = JsonBody.object(ctx).copy();
    Object model = body.remove("model");
    if (model != null) {
      body.put(PromptExecution.MODEL_OVERRIDE, model);
    }
    body.put("model", PromptExecution.MODEL_PREFIX + ctx.pathParam("name"));
    RequestLog.model(body.getString("model"));
    ChatRequest request = ChatJson.request(body);
    Permissions.requireModels(Caller.of(ctx), request);
    return request;
  }

  private static void json(RoutingContext ctx, JsonObject body) {
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.toBuffer());
  }

}
