import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * A load generator for every k6 scenario, runnable where k6 is not: the JDK alone (java.net.http), as a
 * single-file program. It measures what k6 cannot without extensions: the exact time to the first
 * content event of each SSE stream and WebSocket generation, and every gap between content events.
 *
 * <pre>
 *   java loadtest/LoadGen.java SCENARIO [--url http://127.0.0.1:8080] [--duration 20s]
 *        [--concurrency 64 | --rate 500] [--chunks 12] [--ttft-ms 50] [--chunk-delay-ms 20]
 *        [--generations 8] [--key API_KEY] [--prompt fashion/sketch_description]
 *   SCENARIO: chat | stream | ws | prompt | auth
 * </pre>
 *
 * --concurrency C runs a closed loop (C requests, streams or sockets always in flight); --rate R an open
 * one (R arrivals per second whatever the latency, at most 10,000 in flight). "auth" sends the key and
 * counts 429 answers as rate-limited, not as errors. Prints a summary and one JSON line.
 */
public final class LoadGen {

  private final Map<String, String> options;
  private final String scenario;
  private final String url;
  private final HttpClient client;
  private final Recorder latency = new Recorder();
  private final Recorder ttft = new Recorder();
  private final Recorder gaps = new Recorder();
  private final Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
  private final AtomicLong contentEvents = new AtomicLong();

  private LoadGen(String scenario, Map<String, String> options) {
    this.scenario = scenario;
    this.options = options;
    this.url = options.getOrDefault("url", "http://127.0.0.1:8080");
    this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).executor(Executors.newFixedThreadPool(4)).build();
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 0 || !List.of("chat", "stream", "ws", "prompt", "auth").contains(args[0])) {
      System.err.println("usage: java loadtest/LoadGen.java chat|stream|ws|prompt|auth [--option value]...");
      System.exit(2);
    }
    Map<String, String> options = new HashMap<>();
    for (int i = 1; i + 1 < args.length; i += 2) {
      options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    System.exit(new LoadGen(args[0], options).run());
  }

  private int run() throws Exception {
    long durationMs = parseDuration(options.getOrDefault("duration", "20s"));
    String load;
    long started = System.nanoTime();
    long deadline = started + TimeUnit.MILLISECONDS.toNanos(durationMs);
    if (options.containsKey("rate")) {
      double rate = Double.parseDouble(options.get("rate"));
      load = "open model, " + rate + " arrivals/s";
      openLoop(rate, deadline);
    } else {
      int concurrency = Integer.parseInt(options.getOrDefault("concurrency", "64"));
      load = "closed model, " + concurrency + (scenario.equals("ws") ? " sockets" : " in flight");
      closedLoop(concurrency, deadline);
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    return report(load, seconds);
  }

  private void closedLoop(int concurrency, long deadline) throws InterruptedException {
    ExecutorService workers = Executors.newFixedThreadPool(concurrency);
    for (int i = 0; i < concurrency; i++) {
      int worker = i;
      workers.execute(() -> {
        long iteration = 0;
        while (System.nanoTime() < deadline) {
          one(worker, iteration++).join();
        }
      });
    }
    workers.shutdown();
    workers.awaitTermination(10, TimeUnit.MINUTES);
  }

  private void openLoop(double rate, long deadline) throws InterruptedException {
    Semaphore inFlight = new Semaphore(10_000);
    long intervalNanos = (long) (1e9 / rate);
    long next = System.nanoTime();
    long iteration = 0;
    List<CompletableFuture<Void>> pending = new ArrayList<>();
    while (next < deadline) {
      long wait = next - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      if (!inFlight.tryAcquire()) {
        count("dropped: 10000 in flight");
      } else {
        CompletableFuture<Void> call = one(0, iteration++).whenComplete((ok, error) -> inFlight.release());
        pending.add(call);
      }
      next += intervalNanos;
      if (pending.size() > 50_000) {
        pending.removeIf(CompletableFuture::isDone);
      }
    }
    CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
  }

  /** One request (or, for ws, one socket running its generations); never fails, records its outcome. */
  private CompletableFuture<Void> one(int worker, long iteration) {
    long start = System.nanoTime();
    CompletableFuture<Void> call = switch (scenario) {
      case "chat", "auth" -> json("/v1/chat/completions", chatBody("Say hello to the load test", false), start);
      case "prompt" -> json("/api/v1/prompts/" + options.getOrDefault("prompt", "fashion/sketch_description")
          + "/execute", "{\"input\":{\"sketch_url\":\"https://example.com/s/" + worker + "-" + iteration
          + ".png\",\"notes\":\"linen\"}}", start);
      case "stream" -> stream(start);
      default -> socket();
    };
    return call.exceptionally(error -> {
      count("error: " + rootMessage(error));
      return null;
    });
  }

  private HttpRequest.Builder post(String path, String body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(120))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    if (options.containsKey("key")) {
      request.header("authorization", "Bearer " + options.get("key"));
    }
    return request;
  }

  private CompletableFuture<Void> json(String path, String body, long start) {
    return client.sendAsync(post(path, body).build(), HttpResponse.BodyHandlers.ofString()).thenAccept(response -> {
      long nanos = System.nanoTime() - start;
      int status = response.statusCode();
      if (status == 200 && response.body().contains("\"chat.completion\"")) {
        latency.add(nanos);
        count("ok");
      } else if (status == 429 && scenario.equals("auth")) {
        count("rate limited (429)");
      } else {
        count("status " + status);
      }
    });
  }

  private CompletableFuture<Void> stream(long start) {
    return client.sendAsync(post("/v1/chat/completions", chatBody("Stream twelve words back to me please", true))
        .build(), HttpResponse.BodyHandlers.ofLines()).thenAccept(response -> {
          if (response.statusCode() != 200) {
            response.body().close();
            count("status " + response.statusCode());
            return;
          }
          long last = 0;
          int events = 0;
          String end = "no [DONE]";
          try (Stream<String> lines = response.body()) {
            for (String line : (Iterable<String>) lines::iterator) {
              if (!line.startsWith("data: ")) {
                continue;
              }
              long now = System.nanoTime();
              if (line.equals("data: [DONE]")) {
                end = "ok";
              } else if (line.startsWith("data: {\"error\"")) {
                end = "error event";
              } else if (hasContent(line)) {
                if (events++ == 0) {
                  ttft.add(now - start);
                } else {
                  gaps.add(now - last);
                }
                last = now;
              }
            }
          }
          contentEvents.addAndGet(events);
          if (end.equals("ok")) {
            latency.add(System.nanoTime() - start);
          }
          count(end);
        });
  }

  /** One socket, N generations at once on it; done when every one has ended. */
  private CompletableFuture<Void> socket() {
    int generations = Integer.parseInt(options.getOrDefault("generations", "8"));
    CompletableFuture<Void> allDone = new CompletableFuture<>();
    long[] starts = new long[generations];
    long[] lasts = new long[generations];
    int[] chunks = new int[generations];
    int[] ended = {0};
    WebSocket.Listener listener = new WebSocket.Listener() {
      private final StringBuilder text = new StringBuilder();

      @Override
      public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
          String frame = text.toString();
          text.setLength(0);
          frame(ws, frame);
        }
        ws.request(1);
        return null;
      }

      private void frame(WebSocket ws, String frame) {
        int idAt = frame.indexOf("\"id\":\"g");
        if (idAt < 0) {
          count("frame without id: " + frame.substring(0, Math.min(80, frame.length())));
          return;
        }
        int id = Integer.parseInt(frame.substring(idAt + 7, frame.indexOf('"', idAt + 7)));
        long now = System.nanoTime();
        if (frame.startsWith("{\"type\":\"chunk\"")) {
          if (hasContent(frame)) {
            if (chunks[id]++ == 0) {
              ttft.add(now - starts[id]);
            } else {
              gaps.add(now - lasts[id]);
            }
            lasts[id] = now;
          }
          return;
        }
        contentEvents.addAndGet(chunks[id]);
        if (frame.startsWith("{\"type\":\"done\"") && frame.contains("\"finish_reason\":\"stop\"")) {
          latency.add(now - starts[id]);
          count("ok");
        } else {
          count("ws " + frame.substring(0, Math.min(120, frame.length())));
        }
        if (++ended[0] == generations) {
          ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").whenComplete((r, e) -> allDone.complete(null));
        }
      }

      @Override
      public void onError(WebSocket ws, Throwable error) {
        allDone.completeExceptionally(error);
      }
    };
    WebSocket.Builder builder = client.newWebSocketBuilder();
    if (options.containsKey("key")) {
      builder.header("authorization", "Bearer " + options.get("key"));
    }
    return builder.buildAsync(URI.create(url.replaceFirst("^http", "ws") + "/api/v1/ws"), listener)
        .thenCompose(ws -> {
          for (int i = 0; i < generations; i++) {
            starts[i] = System.nanoTime();
            ws.sendText("{\"type\":\"chat\",\"id\":\"g" + i + "\",\"request\":" + chatBody(
                "Generation " + i + ": twelve words please, one by one", false) + "}", true).join();
          }
          return allDone.orTimeout(120, TimeUnit.SECONDS);
        });
  }

  private String chatBody(String text, boolean stream) {
    String model = options.getOrDefault("model", "mock");
    String shape = scenario.equals("stream") || scenario.equals("ws")
        ? ",\"metadata\":{\"mock_chunks\":\"" + options.getOrDefault("chunks", "12") + "\",\"mock_ttft_ms\":\""
        + options.getOrDefault("ttft-ms", "50") + "\",\"mock_chunk_delay_ms\":\""
        + options.getOrDefault("chunk-delay-ms", "20") + "\"}"
        : "";
    return "{\"model\":\"" + model + "\"" + (stream ? ",\"stream\":true,\"stream_options\":{\"include_usage\":true}" : "")
        + shape + ",\"max_tokens\":256,\"messages\":[{\"role\":\"system\",\"content\":\"You are terse.\"},"
        + "{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
  }

  /** A chunk with non-empty delta content (the role-only first chunk and the usage chunk are not). */
  private static boolean hasContent(String event) {
    int at = event.indexOf("\"content\":\"");
    return at >= 0 && event.charAt(at + 11) != '"';
  }

  private void count(String outcome) {
    outcomes.computeIfAbsent(outcome, k -> new AtomicLong()).incrementAndGet();
  }

  private int report(String load, double seconds) {
    long ok = outcomes.getOrDefault("ok", new AtomicLong()).get();
    long limited = outcomes.getOrDefault("rate limited (429)", new AtomicLong()).get();
    long total = outcomes.values().stream().mapToLong(AtomicLong::get).sum();
    long failed = total - ok - limited;
    String unit = scenario.equals("ws") ? "generations" : "requests";
    System.out.printf(Locale.ROOT, "%s (%s) against %s for %.1f s%n", scenario, load, url, seconds);
    System.out.printf(Locale.ROOT, "  %d %s ok (%.1f/s), %d failed%s%n", ok, unit, ok / seconds, failed,
        limited > 0 ? ", " + limited + " rate-limited" : "");
    new TreeMap<>(outcomes).forEach((outcome, n) -> {
      if (!outcome.equals("ok")) {
        System.out.printf("    %s: %d%n", outcome, n.get());
      }
    });
    System.out.println("  latency (whole " + (scenario.equals("ws") ? "generation" : "request") + ") " + latency);
    if (scenario.equals("stream") || scenario.equals("ws")) {
      System.out.println("  time to first token " + ttft);
      System.out.println("  time between chunks " + gaps);
      System.out.printf(Locale.ROOT, "  %.0f content events/s%n", contentEvents.get() / seconds);
    }
    System.out.printf(Locale.ROOT, "{\"scenario\":\"%s\",\"ok\":%d,\"failed\":%d,\"rate_limited\":%d,\"per_second\":%.1f,"
        + "\"latency_ms\":%s,\"ttft_ms\":%s,\"gap_ms\":%s}%n", scenario, ok, failed, limited, ok / seconds,
        latency.json(), ttft.json(), gaps.json());
    return failed == 0 ? 0 : 1;
  }

  private static long parseDuration(String text) {
    if (text.endsWith("ms")) {
      return Long.parseLong(text.substring(0, text.length() - 2));
    }
    long value = Long.parseLong(text.substring(0, text.length() - 1));
    return switch (text.charAt(text.length() - 1)) {
      case 's' -> value * 1000;
      case 'm' -> value * 60_000;
      default -> throw new IllegalArgumentException("duration like 500ms, 20s or 2m: " + text);
    };
  }

  private static String rootMessage(Throwable error) {
    Throwable t = error;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
  }

  /** Samples in nanoseconds; percentiles by sorting at the end (a run holds at most a few million). */
  private static final class Recorder {
    private long[] values = new long[1 << 16];
    private int size;

    synchronized void add(long nanos) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = nanos;
    }

    private synchronized double[] percentiles(double... ps) {
      long[] sorted = Arrays.copyOf(values, size);
      Arrays.sort(sorted);
      double[] result = new double[ps.length];
      for (int i = 0; i < ps.length; i++) {
        result[i] = sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1,
            Math.ceil(ps[i] / 100 * sorted.length) - 1)] / 1e6;
      }
      return result;
    }

    @Override
    public String toString() {
      double[] p = percentiles(50, 90, 95, 99, 100);
      return String.format(Locale.ROOT, "p50 %.2f ms, p90 %.2f, p95 %.2f, p99 %.2f, max %.2f (%d samples)",
          p[0], p[1], p[2], p[3], p[4], size);
    }

    String json() {
      double[] p = percentiles(50, 95, 99, 100);
      return String.format(Locale.ROOT, "{\"p50\":%.2f,\"p95\":%.2f,\"p99\":%.2f,\"max\":%.2f}", p[0], p[1], p[2], p[3]);
    }
  }
}
