package ai.poncho.http;

import ai.poncho.bus.Addresses;
import ai.poncho.bus.CompletionEvent;
import ai.poncho.bus.RemoteChatStream;
import ai.poncho.limits.EdgeLimits;
import ai.poncho.metrics.InFlight;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The gateway-overhead histogram {@code poncho_gateway_overhead_seconds{stream, source}}: the time a model
 * call spent inside the gateway, the upstream's time excluded. The HTTP edge measures from the request's
 * arrival (its first router handler) to the response's last byte written (non-streamed) or its first byte
 * (streamed: the response head goes out with the first event), and subtracts the time dispatch reports it
 * waited on upstreams. Both are durations on their own node's monotonic clock, so a call dispatched on
 * another cluster node needs no clock agreement. Only answered calls are recorded (no refusals or errors);
 * {@code source} is {@code cache} for response-cache hits, {@code upstream} otherwise. WebSocket generations
 * count as streams, from the session taking their chat frame to their first chunk frame ({@link #firstFrame}). Also keeps
 * {@code poncho_http_streams_in_flight}: streamed responses open to clients on this node.
 */
public final class GatewayOverhead {

  private static final String KEY = "poncho.overhead";
  private static final Duration[] BUCKETS = {Duration.ofNanos(250_000), Duration.ofNanos(500_000),
      Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
      Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
      Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5)};

  /** By streamed (0 no, 1 yes) and source (0 upstream, 1 cache). */
  private final Timer[][] timers = new Timer[2][2];
  private final InFlight streams;

  public GatewayOverhead(Vertx vertx, MeterRegistry registry) {
    for (int stream = 0; stream < 2; stream++) {
      for (int source = 0; source < 2; source++) {
        timers[stream][source] = Timer.builder("poncho.gateway.overhead")
            .description("Time a model call spent inside the gateway, upstream time excluded (to the last byte;"
                + " streams: to the first byte)")
            .tag("stream", Boolean.toString(stream == 1)).tag("source", source == 1 ? "cache" : "upstream")
            .serviceLevelObjectives(BUCKETS).register(registry);
      }
    }
    streams = InFlight.of(vertx, registry, "poncho.http.streams.in.flight",
        "Streamed (SSE) model responses open to clients on this node");
  }

  /** Router handler: notes a model call's arrival and watches its response's first and last byte. */
  public void arrive(RoutingContext ctx) {
    if (EdgeLimits.isModelCall(ctx)) {
      Call call = new Call(System.nanoTime());
      ctx.put(KEY, call);
      ctx.addHeadersEndHandler(v -> call.headWritten(ctx));
      ctx.addBodyEndHandler(v -> call.ended(ctx));
    }
    ctx.next();
  }

  /** A non-streamed answer from dispatch: the upstream time it reports and whether the cache answered. */
  public static void answered(RoutingContext ctx, Message<?> reply) {
    Call call = ctx.get(KEY);
    String upstream = reply.headers().get(Addresses.UPSTREAM_HEADER);
    if (call != null && upstream != null) {
      call.upstream(Long.parseLong(upstream), CompletionEvent.CACHE_HIT.equals(
          reply.headers().get(Addresses.CACHE_HEADER)), false);
    }
  }

  /**
   * A WebSocket generation sent its first chunk frame: its overhead is the time since its chat frame arrived,
   * less the stream's upstream time to its first chunk.
   */
  public void firstFrame(long arrivedNanos, RemoteChatStream stream) {
    long overhead = Math.max(0, System.nanoTime() - arrivedNanos - stream.upstreamNanos());
    timers[1][CompletionEvent.CACHE_HIT.equals(stream.cache()) ? 1 : 0].record(overhead, TimeUnit.NANOSECONDS);
  }

  /** A stream that opened: its upstream time to the first chunk; counted in flight until its response ends. */
  public static void streaming(RoutingContext ctx, RemoteChatStream stream) {
    Call call = ctx.get(KEY);
    if (call != null) {
      call.upstream(stream.upstreamNanos(), CompletionEvent.CACHE_HIT.equals(stream.cache()), true);
      call.streamOpened(ctx);
    }
  }

  private final class Call {
    private final long arrived;
    private long upstreamNanos = -1;
    private boolean cached;
    private boolean streamed;

    Call(long arrived) {
      this.arrived = arrived;
    }

    void streamOpened(RoutingContext ctx) {
      streams.add(1);
      ctx.addEndHandler(v -> streams.add(-1));
    }

    void upstream(long nanos, boolean fromCache, boolean stream) {
      upstreamNanos = Math.max(0, nanos);
      cached = fromCache;
      streamed = stream;
    }

    void headWritten(RoutingContext ctx) {
      if (streamed) {
        record(ctx);
      }
    }

    void ended(RoutingContext ctx) {
      if (!streamed) {
        record(ctx);
      }
    }

    private void record(RoutingContext ctx) {
      if (upstreamNanos < 0 || ctx.response().getStatusCode() >= 400) {
        return;
      }
      long overhead = Math.max(0, System.nanoTime() - arrived - upstreamNanos);
      timers[streamed ? 1 : 0][cached ? 1 : 0].record(overhead, TimeUnit.NANOSECONDS);
      // Recorded once: a later handler of the same response must not count it again.
      upstreamNanos = -1;
    }
  }
}
