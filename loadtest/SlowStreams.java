/*
 * N concurrent slow streams against a running PonchoAI, over SSE or the WebSocket API, while sampling the
 * server's resident memory (/proc/<pid>/status) and the latency of GET /health/live.
 *
 *   java -cp "$(cat target/classpath.txt)" loadtest/SlowStreams.java \
 *       --url http://127.0.0.1:18080 --pid 1234 --mode sse --streams 10000 --hold 30
 *
 * Each stream asks the mock model for one content chunk per second (mock_chunk_delay_ms 1000), far more
 * chunks than the test lasts. Streams are opened at --rate per second (the ramp); once all N are open the
 * hold begins: for --hold seconds RSS and /health/live are sampled; then every stream still alive (an event
 * in its last 3 s) counts as ok, and all are closed. The report is one JSON line.
 */

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

public class SlowStreams {

  /** One stream: when it last got an event, and how to close it. */
  static final class Stream {
    volatile long lastEventNanos = System.nanoTime();
    volatile boolean ended;
    Runnable close = () -> { };
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    URI url = URI.create(opts.getOrDefault("url", "http://127.0.0.1:18080"));
    long pid = Long.parseLong(opts.getOrDefault("pid", "0"));
    String mode = opts.getOrDefault("mode", "sse");
    int streams = Integer.parseInt(opts.getOrDefault("streams", "1000"));
    int rate = Integer.parseInt(opts.getOrDefault("rate", "1000"));
    int hold = Integer.parseInt(opts.getOrDefault("hold", "30"));

    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    JsonObject request = new JsonObject().put("model", "mock").put("stream", true)
        .put("metadata", new JsonObject().put("mock_chunks", 100_000).put("mock_chunk_delay_ms", 1000))
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "a slow stream")));
    String body = request.encode();

    List<Stream> all = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger open = new AtomicInteger();
    AtomicInteger failedToOpen = new AtomicInteger();
    AtomicInteger endedEarly = new AtomicInteger();
    AtomicLong events = new AtomicLong();
    AtomicBoolean holding = new AtomicBoolean();
    AtomicBoolean closing = new AtomicBoolean();

    HttpClient http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost(url.getHost())
        .setDefaultPort(url.getPort()).setIdleTimeout(0), new PoolOptions().setHttp1MaxSize(streams + 10));
    WebSocketClient ws = vertx.createWebSocketClient(new WebSocketClientOptions().setDefaultHost(url.getHost())
        .setDefaultPort(url.getPort()).setMaxConnections(streams + 10));

    // Health probe (one at a time, every 50 ms, so a slow answer is measured rather than queued behind)
    // and the RSS sampler.
    // The probe has its own event loop: the streams' traffic on the client side must not delay it.
    Vertx probeVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    HttpClient probe = probeVertx.createHttpClient(new HttpClientOptions().setDefaultHost(url.getHost())
        .setDefaultPort(url.getPort()), new PoolOptions().setHttp1MaxSize(1));
    List<Double> rampLatency = Collections.synchronizedList(new ArrayList<>());
    List<Double> holdLatency = Collections.synchronizedList(new ArrayList<>());
    AtomicLong maxRss = new AtomicLong();
    AtomicLong holdRss = new AtomicLong();
    AtomicBoolean probing = new AtomicBoolean();
    probeVertx.setPeriodic(50, id -> {
      if (closing.get() || !probing.compareAndSet(false, true)) {
        return;
      }
      long sent = System.nanoTime();
      boolean inHold = holding.get();
      probe.request(HttpMethod.GET, "/health/live").compose(r -> r.send()).compose(r -> r.body())
          .onComplete(result -> {
            probing.set(false);
            double ms = (System.nanoTime() - sent) / 1e6;
            (inHold ? holdLatency : rampLatency).add(result.succeeded() ? ms : 60_000.0);
          });
    });
    vertx.setPeriodic(1000, id -> {
      long rss = rssKb(pid);
      maxRss.accumulateAndGet(rss, Math::max);
      if (holding.get() && !closing.get()) {
        holdRss.accumulateAndGet(rss, Math::max);
      }
    });

    // Ramp: rate streams per second, in 10 ms steps.
    long rampStart = System.nanoTime();
    AtomicInteger started = new AtomicInteger();
    int perTick = Math.max(1, rate / 100);
    vertx.setPeriodic(10, tick -> {
      for (int i = 0; i < perTick && started.get() < streams; i++) {
        int n = started.incrementAndGet();
        Stream stream = new Stream();
        all.add(stream);
        Runnable ended = () -> {
          if (!stream.ended) {
            stream.ended = true;
            if (!closing.get()) {
              endedEarly.incrementAndGet();
            }
          }
        };
        if (mode.equals("ws")) {
          ws.connect(new WebSocketConnectOptions().setURI("/api/v1/ws")).onSuccess(socket -> {
            open.incrementAndGet();
            stream.close = () -> socket.close();
            socket.textMessageHandler(text -> {
              events.incrementAndGet();
              stream.lastEventNanos = System.nanoTime();
            });
            socket.closeHandler(v -> ended.run());
            socket.writeTextMessage(new JsonObject().put("type", "chat").put("id", "g" + n).put("request", request)
                .encode());
          }).onFailure(e -> failedToOpen.incrementAndGet());
        } else {
          http.request(new RequestOptions().setMethod(HttpMethod.POST).setURI("/v1/chat/completions")
                  .putHeader("content-type", "application/json"))
              .compose(r -> r.send(body))
              .onSuccess(response -> {
                if (response.statusCode() != 200) {
                  failedToOpen.incrementAndGet();
                  return;
                }
                open.incrementAndGet();
                stream.close = () -> response.request().connection().close();
                response.handler(data -> {
                  events.incrementAndGet();
                  stream.lastEventNanos = System.nanoTime();
                });
                response.end().onComplete(end -> ended.run());
              })
              .onFailure(e -> failedToOpen.incrementAndGet());
        }
      }
      if (started.get() >= streams) {
        vertx.cancelTimer(tick);
      }
    });

    // The hold starts once every stream is open (or could not be), and lasts --hold seconds.
    CompletableFuture<JsonObject> report = new CompletableFuture<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(600);
    vertx.setPeriodic(100, check -> {
      if (holding.get()) {
        return;
      }
      boolean ready = open.get() + failedToOpen.get() >= streams;
      if (ready || System.nanoTime() > deadline) {
        holding.set(true);
        double rampSeconds = (System.nanoTime() - rampStart) / 1e9;
        vertx.cancelTimer(check);
        vertx.setTimer(TimeUnit.SECONDS.toMillis(hold), done -> {
          long now = System.nanoTime();
          int alive;
          synchronized (all) {
            alive = (int) all.stream().filter(s -> !s.ended && now - s.lastEventNanos < 3_000_000_000L).count();
          }
          closing.set(true);
          report.complete(new JsonObject().put("mode", mode).put("streams", streams).put("hold_s", hold)
              .put("ramp_s", Math.round(rampSeconds * 10) / 10.0).put("opened", open.get())
              .put("alive_at_end", alive).put("failed_to_open", failedToOpen.get()).put("ended_early", endedEarly.get())
              .put("events", events.get()).put("rss_max_mb", maxRss.get() / 1024)
              .put("rss_hold_mb", holdRss.get() / 1024)
              .put("health_ramp", percentiles(rampLatency)).put("health_hold", percentiles(holdLatency)));
          synchronized (all) {
            all.forEach(s -> s.close.run());
          }
        });
      }
    });

    System.out.println(report.get(hold + 700, TimeUnit.SECONDS).encode());
    Thread.sleep(2000);
    System.exit(0);
  }

  private static JsonObject percentiles(List<Double> samples) {
    List<Double> sorted;
    synchronized (samples) {
      sorted = new ArrayList<>(samples);
    }
    Collections.sort(sorted);
    if (sorted.isEmpty()) {
      return new JsonObject().put("n", 0);
    }
    return new JsonObject().put("n", sorted.size()).put("p50_ms", round(at(sorted, 0.50)))
        .put("p99_ms", round(at(sorted, 0.99))).put("max_ms", round(sorted.get(sorted.size() - 1)));
  }

  private static double at(List<Double> sorted, double q) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }

  private static long rssKb(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("\\D", ""));
        }
      }
    } catch (Exception ignored) {
      // the server is gone
    }
    return 0;
  }
}
