package ai.poncho.bus;

import io.vertx.core.json.JsonObject;

/**
 * Reply to {@link StreamOpen}: where to send credit and cancel, which model serves the stream, for a
 * prompt with {@code output.format: json} the output check the caller runs on the streamed text
 * ({@code {"schema": …}}; null otherwise), the cluster node producing it (null off a cluster),
 * whose loss ends the stream with an error at once, and what the response cache did ({@code hit},
 * {@code miss}, {@code bypass}; null where no cache ran), and the nanoseconds the stream waited on
 * upstreams until its first chunk existed ({@code upstreamNanos}, 0 for a replayed cache hit), for the
 * gateway-overhead metric.
 */
public record StreamStarted(String controlAddress, String model, JsonObject output, String node, String cache,
                            long upstreamNanos) {

  public StreamStarted(String controlAddress, String model) {
    this(controlAddress, model, null, null, null, 0);
  }

  public StreamStarted(String controlAddress, String model, JsonObject output, String node) {
    this(controlAddress, model, output, node, null, 0);
  }

  public StreamStarted withOutput(JsonObject check) {
    return new StreamStarted(controlAddress, model, check, node, cache, upstreamNanos);
  }

  public StreamStarted withNode(String producerNode) {
    return new StreamStarted(controlAddress, model, output, producerNode, cache, upstreamNanos);
  }

  public StreamStarted withCache(String newCache) {
    return new StreamStarted(controlAddress, model, output, node, newCache, upstreamNanos);
  }

  public StreamStarted withUpstream(long nanos) {
    return new StreamStarted(controlAddress, model, output, node, cache, nanos);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("control", controlAddress).put("model", model).put("cache", cache)
        .put("upstream_ns", upstreamNanos);
    if (output != null) {
      json.put("output", output);
    }
    return node == null ? json : json.put("node", node);
  }

  public static StreamStarted fromJson(JsonObject json) {
    return new StreamStarted(json.getString("control"), json.getString("model"), json.getJsonObject("output"),
        json.getString("node"), json.getString("cache"), json.getLong("upstream_ns", 0L));
  }
}
