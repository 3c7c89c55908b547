/*
 * N concurrent slow streams against a running PonchoAI, over SSE or the WebSocket API, while sampling the
 * server's resident memory (/proc/<pid>/status) and the latency of GET /health/live.
 *
 *   java -cp "$(cat target/classpath.txt)" loadtest/SlowStreams.java \
 *       --url http://127.0.0.1:18080 --pid 1234 --mode sse --streams 10000 --hold 30
 *
 * Each stream asks the mock model for one content chunk per second (mock_chunk_delay_ms 1000) for as long
 * as the ramp plus the hold take, so all N are open at once during the hold. Streams are opened at
 * --rate per second. "Hold" samples are those taken while at least 99% of the N streams are open, "ramp"
 * samples the others. The report is one JSON line (loadtest/slow-streams.sh turns it into a table row).
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

public class SlowStreams {

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
    int rampSeconds = (streams + rate - 1) / rate;
    int chunks = rampSeconds + hold;

    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    JsonObject request = new JsonObject().put("model", "mock").put("stream", true)
        .put("metadata", new JsonObject().put("mock_chunks", chunks).put("mock_chunk_delay_ms", 1000))
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "a slow stream")));

    AtomicInteger open = new AtomicInteger();
    AtomicInteger maxOpen = new AtomicInteger();
    AtomicInteger completed = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    AtomicLong events = new AtomicLong();
    CountDownLatch done = new CountDownLatch(streams);
    Runnable opened = () -> maxOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
    Runnable finished = () -> {
      open.decrementAndGet();
      done.countDown();
    };

    HttpClient http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost(url.getHost())
        .setDefaultPort(url.getPort()).setKeepAlive(false).setIdleTimeout(0),
        new PoolOptions().setHttp1MaxSize(streams + 10));
    WebSocketClient ws = vertx.createWebSocketClient(new WebSocketClientOptions().setDefaultHost(url.getHost())
        .setDefaultPort(url.getPort()).setMaxConnections(streams + 10));
    String body = request.encode();

    // Health probe and RSS sampler.
    HttpClient probe = vertx.createHttpClient(new HttpClientOptions().setDefaultHost(url.getHost())
        .setDefaultPort(url.getPort()), new PoolOptions().setHttp1MaxSize(1));
    List<Double> rampLatency = Collections.synchronizedList(new ArrayList<>());
    List<Double> holdLatency = Collections.synchronizedList(new ArrayList<>());
    AtomicLong maxRss = new AtomicLong();
    AtomicLong holdRss = new AtomicLong();
    // One probe at a time, every 50 ms: a slow answer is measured, not queued behind by the next probes.
    java.util.concurrent.atomic.AtomicBoolean probing = new java.util.concurrent.atomic.AtomicBoolean();
    vertx.setPeriodic(50, id -> {
      if (!probing.compareAndSet(false, true)) {
        return;
      }
      long sent = System.nanoTime();
      boolean holding = open.get() >= streams * 0.99;
      probe.request(HttpMethod.GET, "/health/live").compose(r -> r.send()).compose(r -> r.body())
          .onComplete(result -> {
            probing.set(false);
            double ms = (System.nanoTime() - sent) / 1e6;
            (holding ? holdLatency : rampLatency).add(result.succeeded() ? ms : 60_000.0);
          });
    });
    vertx.setPeriodic(1000, id -> {
      long rss = rssKb(pid);
      maxRss.accumulateAndGet(rss, Math::max);
      if (open.get() >= streams * 0.99) {
        holdRss.accumulateAndGet(rss, Math::max);
      }
    });

    // Ramp: rate streams per second, in 10 ms steps.
    AtomicInteger started = new AtomicInteger();
    int perTick = Math.max(1, rate / 100);
    vertx.setPeriodic(10, tick -> {
      for (int i = 0; i < perTick && started.get() < streams; i++) {
        int n = started.incrementAndGet();
        if (mode.equals("ws")) {
          ws.connect(new WebSocketConnectOptions().setURI("/api/v1/ws")).onSuccess(socket -> {
            opened.run();
            socket.textMessageHandler(text -> {
              JsonObject frame = new JsonObject(text);
              String type = frame.getString("type");
              events.incrementAndGet();
              if ("done".equals(type) || "error".equals(type)) {
                (type.equals("done") ? completed : failed).incrementAndGet();
                socket.close();
              }
            });
            socket.closeHandler(v -> finished.run());
            socket.writeTextMessage(new JsonObject().put("type", "chat").put("id", "g" + n).put("request", request)
                .encode());
          }).onFailure(e -> {
            failed.incrementAndGet();
            done.countDown();
          });
        } else {
          http.request(new RequestOptions().setMethod(HttpMethod.POST).setURI("/v1/chat/completions")
                  .putHeader("content-type", "application/json"))
              .compose(r -> r.send(body))
              .onSuccess(response -> {
                opened.run();
                // Only the end of the body matters (does it end with [DONE]?): keep its last bytes.
                StringBuilder tail = new StringBuilder();
                response.handler(data -> {
                  events.incrementAndGet();
                  tail.append(data.toString());
                  if (tail.length() > 64) {
                    tail.delete(0, tail.length() - 32);
                  }
                });
                response.end().onComplete(end -> {
                  boolean ok = end.succeeded() && response.statusCode() == 200
                      && tail.toString().contains("[DONE]");
                  (ok ? completed : failed).incrementAndGet();
                  finished.run();
                });
              })
              .onFailure(e -> {
                failed.incrementAndGet();
                done.countDown();
              });
        }
      }
      if (started.get() >= streams) {
        vertx.cancelTimer(tick);
      }
    });

    boolean allDone = done.await(rampSeconds + hold + 120, TimeUnit.SECONDS);
    JsonObject report = new JsonObject().put("mode", mode).put("streams", streams).put("hold_s", hold)
        .put("max_open", maxOpen.get()).put("completed", completed.get()).put("failed", failed.get())
        .put("hung", allDone ? 0 : (int) done.getCount()).put("events", events.get())
        .put("rss_max_mb", maxRss.get() / 1024).put("rss_hold_mb", holdRss.get() / 1024)
        .put("health_ramp", percentiles(rampLatency)).put("health_hold", percentiles(holdLatency));
    System.out.println(report.encode());
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
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
