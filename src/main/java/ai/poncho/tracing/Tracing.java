package ai.poncho.tracing;

import ai.poncho.config.OtelConfig;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.shareddata.Shareable;
import io.vertx.core.tracing.TracingPolicy;
import io.vertx.tracing.opentelemetry.OpenTelemetryOptions;
import io.vertx.tracing.opentelemetry.OpenTelemetryTracingFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The node's tracing ({@code otel.*}): the OpenTelemetry SDK behind Vert.x's tracer, which carries the
 * W3C trace context over HTTP (server and upstream client) and the event bus (also between cluster
 * nodes), plus the gateway's own spans. Off (the default) no tracer is installed and {@link #OFF} makes
 * every call here a no-op. The SDK exports in batches from its own thread, so a slow or dead collector
 * only drops spans, never delays a request.
 */
public final class Tracing implements Shareable {

  public static final Tracing OFF = new Tracing(null, false);

  /**
   * For the many messages of one stream (chunks, end, failure, credit, cancel) and bookkeeping sends
   * (metrics, hand-over notices): they make no spans, only the stream's opening request is traced.
   * Never modified, so one instance serves every send.
   */
  public static final DeliveryOptions UNTRACED = new DeliveryOptions().setTracingPolicy(TracingPolicy.IGNORE);

  /** The dispatch span of the call running on the current context, for the attempts to report to. */
  static final ContextKey<Span> DISPATCH = ContextKey.named("poncho.dispatch");

  private static final String LOCAL_MAP = "poncho";
  private static final String KEY = "tracing";
  private static final long SHUTDOWN_WAIT_MS = 2_000;

  private final Tracer tracer;
  private final boolean captureContent;

  private Tracing(Tracer tracer, boolean captureContent) {
    this.tracer = tracer;
    this.captureContent = captureContent;
  }

  /**
   * The SDK for {@code config}: autoconfigured, so the standard {@code OTEL_*} variables and system
   * properties apply over what the configuration sets.
   */
  public static OpenTelemetrySdk sdk(OtelConfig config) {
    return AutoConfiguredOpenTelemetrySdk.builder().addPropertiesSupplier(config::sdkProperties)
        .disableShutdownHook().build().getOpenTelemetrySdk();
  }

  /** Installs {@code otel} as the tracer of the Vert.x instance {@code builder} will build. */
  public static void install(VertxOptions options, VertxBuilder builder, OpenTelemetry otel) {
    options.setTracingOptions(new OpenTelemetryOptions());
    builder.withTracer(new OpenTelemetryTracingFactory(otel));
  }

  /** Makes {@code sdk} the tracing of {@code vertx}'s verticles, shut down (flushed) when Vert.x closes. */
  public static void register(Vertx vertx, OpenTelemetrySdk sdk, OtelConfig config) {
    vertx.sharedData().getLocalMap(LOCAL_MAP).put(KEY, new Tracing(sdk.getTracer("ai.poncho"),
        config.captureContent()));
    ((VertxInternal) vertx).addCloseHook(completion -> {
      AtomicBoolean closed = new AtomicBoolean();
      Runnable done = () -> {
        if (closed.compareAndSet(false, true)) {
          completion.succeed();
        }
      };
      // Bounded: with the collector gone the last batch is dropped rather than holding up the close.
      sdk.shutdown().whenComplete(done);
      CompletableFuture.delayedExecutor(SHUTDOWN_WAIT_MS, TimeUnit.MILLISECONDS).execute(done);
    });
  }

  /** The tracing of {@code vertx}'s node, {@link #OFF} when it has none. */
  public static Tracing of(Vertx vertx) {
    Object tracing = vertx.sharedData().getLocalMap(LOCAL_MAP).get(KEY);
    return tracing instanceof Tracing on ? on : OFF;
  }

  public boolean on() {
    return tracer != null;
  }

  /** Whether prompt and completion text go on spans ({@code otel.capture_content}). */
  public boolean captureContent() {
    return captureContent;
  }

  /** A span under the current one (none when tracing is off or the request is not sampled). */
  public Span start(String name, SpanKind kind) {
    if (tracer == null || !Span.current().getSpanContext().isValid()) {
      return Span.getInvalid();
    }
    return tracer.spanBuilder(name).setSpanKind(kind).startSpan();
  }

  /** A span under {@code parent} (none when tracing is off or {@code parent} holds no span). */
  public Span start(String name, SpanKind kind, Context parent) {
    if (tracer == null || !Span.fromContext(parent).getSpanContext().isValid()) {
      return Span.getInvalid();
    }
    return tracer.spanBuilder(name).setSpanKind(kind).setParent(parent).startSpan();
  }

  /**
   * Makes {@code span} the current one on the current Vert.x context, so log lines, bus sends and the
   * upstream HTTP client span of what follows are its children; the scope restores the previous one.
   */
  public static Scope activate(Span span) {
    return span.getSpanContext().isValid() ? Context.current().with(span).makeCurrent() : Scope.noop();
  }

  /** As {@link #activate}, and marks {@code span} as the dispatch span the attempts under it report to. */
  public static Scope activateDispatch(Span span) {
    return span.getSpanContext().isValid() ? Context.current().with(span).with(DISPATCH, span).makeCurrent()
        : Scope.noop();
  }

  /** The dispatch span of the current call, or the invalid span. */
  public static Span dispatchSpan() {
    Span span = Context.current().get(DISPATCH);
    return span == null ? Span.getInvalid() : span;
  }

  /** The W3C {@code traceparent} of the current span, or null without one. */
  public static String traceparent() {
    SpanContext span = Span.current().getSpanContext();
    if (!span.isValid()) {
      return null;
    }
    return "00-" + span.getTraceId() + "-" + span.getSpanId() + "-" + span.getTraceFlags().asHex();
  }
}
