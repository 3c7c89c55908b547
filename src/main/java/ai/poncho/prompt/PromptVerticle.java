package ai.poncho.prompt;

import ai.poncho.bus.Accepted;
import ai.poncho.bus.Addresses;
import ai.poncho.bus.BusCodecs;
import ai.poncho.bus.CompletionEvent;
import ai.poncho.bus.DispatchRequest;
import ai.poncho.bus.GuardedCall;
import ai.poncho.bus.Replies;
import ai.poncho.bus.StreamOpen;
import ai.poncho.bus.StreamStarted;
import ai.poncho.chat.ChatJson;
import ai.poncho.chat.ChatResponse;
import ai.poncho.cluster.NodeWatch;
import ai.poncho.config.PonchoConfig;
import ai.poncho.config.PromptsConfig;
import ai.poncho.error.GatewayError;
import ai.poncho.logging.RequestLog;
import ai.poncho.metrics.Meters;
import ai.poncho.metrics.MetricsVerticle;
import ai.poncho.security.Caller;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.jknack.handlebars.Template;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import ai.poncho.tracing.GenAiSpans;
import ai.poncho.tracing.Tracing;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prompt execution: loads the prompt directory (and re-reads it on change, off the event loop), renders
 * {@code prompt:<name>} runs on workers and sends the resulting chat request on to dispatch. Streams keep
 * the caller's sink, so chunks flow from dispatch to the caller directly. Also answers the prompt API's
 * list, get and render (dry run) requests.
 */
public final class PromptVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(PromptVerticle.class);

  private EventBus bus;
  private String node;
  private DeliveryOptions delivery;
  private PromptsConfig prompts;
  private PromptLoader loader;
  private PromptRenderer renderer;
  private Counter loadErrors;
  private volatile PromptLibrary library = PromptLibrary.empty();
  private boolean reloading;
  private long timer = -1;
  private Tracing tracing;

  @Override
  public Future<?> start() {
    BusCodecs.register(vertx);
    PonchoConfig config = PonchoConfig.from(config());
    prompts = config.prompts();
    delivery = new DeliveryOptions().setSendTimeout(config.http().requestTimeout().toMillis());
    bus = vertx.eventBus();
    tracing = Tracing.of(vertx);
    node = NodeWatch.of(vertx).localNode();
    Cache<TemplateEngine.TemplateKey, Template> cache = Caffeine.newBuilder().maximumSize(prompts.cacheSize())
        .expireAfterAccess(prompts.cacheTtl()).recordStats().build();
    MeterRegistry registry = Meters.registry(config.metrics());
    CaffeineCacheMetrics.monitor(registry, cache, "poncho_prompt_templates");
    loadErrors = Counter.builder("poncho.prompt.load.errors").description("Prompt files that failed to load")
        .register(registry);
    Gauge.builder("poncho.prompt.files.failing", this, v -> v.library.failing())
        .description("Prompt files whose current version does not load").register(registry);
    Gauge.builder("poncho.prompt.prompts", this, v -> v.library.prompts().size())
        .description("Prompts being served").register(registry);
    loader = new PromptLoader(Path.of(prompts.dir()), Path.of(prompts.toolsDir()), prompts, cache);
    renderer = new PromptRenderer(prompts, config.defaultModel());
    return reload().compose(v -> {
      if (!prompts.reloadInterval().isZero()) {
        timer = vertx.setPeriodic(prompts.reloadInterval().toMillis(), id -> reload());
      }
      return Future.all(List.of(
          bus.<DispatchRequest>consumer(Addresses.PROMPT_COMPLETE, this::complete).completion(),
          bus.<StreamOpen>consumer(Addresses.PROMPT_STREAM, this::stream).completion(),
          bus.<JsonObject>consumer(Addresses.PROMPT_RENDER, this::render).completion(),
          bus.consumer(Addresses.PROMPT_LIST, message -> message.reply(PromptViews.list(library))).completion(),
          bus.<JsonObject>consumer(Addresses.PROMPT_GET, this::get).completion(),
          bus.consumer(Addresses.PROMPT_HEALTH, message -> message.reply(PromptViews.health(library))).completion(),
          bus.consumer(Addresses.ping("prompt"), message -> message.reply("ok")).completion()));
    });
  }

  @Override
  public Future<?> stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    return Future.succeededFuture();
  }

  /** Re-reads the directory on a worker and swaps in the new library whole. */
  private Future<Void> reload() {
    if (reloading) {
      return Future.succeededFuture();
    }
    reloading = true;
    PromptLibrary previous = library;
    return vertx.executeBlocking(() -> loader.load(previous), false)
        .onSuccess(next -> {
          if (next != previous) {
            loadErrors.increment(next.failing());
            LOG.info("Prompts loaded from {}: {} prompts, {} files failing", prompts.dir(), next.prompts().size(),
                next.failing());
            library = next;
          }
        })
        .onFailure(e -> LOG.warn("Reloading prompts from {} failed: {}", prompts.dir(), e.getMessage()))
        .onComplete(r -> reloading = false)
        .<Void>mapEmpty()
        .recover(e -> Future.succeededFuture());
  }

  /** Renders, then dispatches through a {@link GuardedCall}, so a dispatch node's loss fails the run at once. */
  private void complete(Message<DispatchRequest> message) {
    long start = System.nanoTime();
    DispatchRequest run = message.body();
    RequestLog.enter(run.requestId(), run.caller().keyId(), run.request().model());
    Accepted.send(bus, run.watchAddress(), run.callId(), node);
    renderOffLoop(() -> PromptCall.from(run.request()))
        .compose(rendered -> {
          DispatchRequest dispatch = run.withRequest(rendered.toChatRequest(run.request()))
              .withCache(run.cache().withPrompt(cacheName(rendered)));
          return GuardedCall.<ChatResponse>request(vertx, Addresses.DISPATCH_COMPLETE, run.callId(),
                  dispatch::forAttempt, delivery, true).reply()
              .onSuccess(reply -> message.reply(reply.body(), withCacheStatus(withCost(outputCheck(rendered,
                  reply.body()), reply), reply.headers().get(Addresses.CACHE_HEADER))));
        })
        .onFailure(failure -> failed(message, failure, run.requestId(), run.caller(), false, start));
  }

  /**
   * Fails the call; a prompt that failed before any model call (unknown prompt, bad input, render error) is
   * counted here, since dispatch counts only what reached it.
   */
  private void failed(Message<?> message, Throwable failure, String requestId, Caller caller, boolean stream,
                      long start) {
    GatewayError error = Replies.fail(message, failure);
    if (!(failure instanceof ReplyException reply && reply.failureType() == ReplyFailure.RECIPIENT_FAILURE)) {
      bus.publish(Addresses.METRICS_COMPLETION, new CompletionEvent(MetricsVerticle.UNKNOWN_MODEL, "none",
          error.status(), stream, System.nanoTime() - start, 0, 0, 0, null, requestId, caller.keyId(), caller.team()),
          Tracing.UNTRACED);
    }
  }

  /** The dispatcher's cost and upstream-time headers go back with the answer. */
  private static DeliveryOptions withCost(DeliveryOptions options, Message<?> reply) {
    for (String header : new String[] {Addresses.COST_HEADER, Addresses.UPSTREAM_HEADER}) {
      String value = reply.headers().get(header);
      if (value != null) {
        options.addHeader(header, value);
      }
    }
    return options;
  }

  /** For JSON-output prompts, the parsed and checked answer rides along as a reply header. */
  private static DeliveryOptions outputCheck(RenderedPrompt rendered, ChatResponse response) {
    DeliveryOptions options = new DeliveryOptions();
    if (rendered.prompt().metadata().jsonOutput()) {
      String text = response.choices().isEmpty() ? null : response.choices().get(0).message().textContent();
      options.addHeader(Addresses.PROMPT_OUTPUT_HEADER,
          OutputCheck.check(text, rendered.prompt().outputCheck()).encode());
    }
    return options;
  }

  /**
   * Renders, then opens the stream at dispatch. The stream id tags the chunks the consumer routes, so
   * this hop does not re-send under a new id: a dispatch node that hands it back fails the open with
   * {@code node_unavailable}, and the consumer re-sends the whole open.
   */
  private void stream(Message<StreamOpen> message) {
    long start = System.nanoTime();
    StreamOpen open = message.body();
    RequestLog.enter(open.requestId(), open.caller().keyId(), open.request().model());
    Accepted.send(bus, open.watchAddress(), open.streamId(), node);
    renderOffLoop(() -> PromptCall.from(open.request()))
        .compose(rendered -> {
          StreamOpen forward = open.withRequest(rendered.toChatRequest(open.request()))
              .withCache(open.cache().withPrompt(cacheName(rendered)));
          return GuardedCall.<StreamStarted>request(vertx, Addresses.DISPATCH_STREAM, open.streamId(),
                  forward::forAttempt, delivery, false).reply()
              .map(reply -> reply.body().withOutput(StreamedOutput.spec(rendered.prompt())));
        })
        .onSuccess(message::reply)
        .onFailure(failure -> failed(message, failure, open.requestId(), open.caller(), true, start));
  }

  private static DeliveryOptions withCacheStatus(DeliveryOptions options, String status) {
    return status == null ? options : options.addHeader(Addresses.CACHE_HEADER, status);
  }

  /** The prompt (and variant) a rendered call came from: part of its response-cache key. */
  private static String cacheName(RenderedPrompt rendered) {
    String variant = rendered.prompt().variant();
    return variant == null ? rendered.prompt().name() : rendered.prompt().name() + "." + variant;
  }

  private void render(Message<JsonObject> message) {
    renderOffLoop(() -> PromptCall.from(ChatJson.request(message.body())))
        .onSuccess(rendered -> message.reply(rendered.toJson()))
        .onFailure(failure -> Replies.fail(message, failure));
  }

  private void get(Message<JsonObject> message) {
    try {
      message.reply(PromptViews.get(library, message.body().getString("name", "")));
    } catch (RuntimeException e) {
      Replies.fail(message, e);
    }
  }

  /**
   * Renders on a worker against the library of this moment; the render's own deadline also applies here.
   * Traced as a {@code prompt.render} span.
   */
  private Future<RenderedPrompt> renderOffLoop(Supplier<PromptCall> call) {
    PromptLibrary current = library;
    long timeoutMs = prompts.renderTimeout().toMillis() + 1000;
    Span span = tracing.start("prompt.render", SpanKind.INTERNAL);
    return vertx.executeBlocking(() -> renderer.render(current, call.get()), false)
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .recover(e -> Future.failedFuture(e instanceof java.util.concurrent.TimeoutException
            ? PromptException.timeout("Rendering the prompt took longer than the limit.") : e))
        .andThen(done -> GenAiSpans.rendered(span, done.succeeded() ? done.result().prompt().name() : null,
            done.succeeded() ? done.result().prompt().variant() : null, done.cause()));
  }
}
