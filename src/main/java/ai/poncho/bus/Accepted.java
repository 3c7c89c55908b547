package ai.poncho.bus;

import ai.poncho.tracing.Tracing;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;

/**
 * Sent by the verticle that takes a request (a {@link DispatchRequest} or {@link StreamOpen}) to the
 * caller's watch address as soon as it arrives, before any upstream call: the caller then knows which
 * node {@code node} the call {@code id} runs on, and fails it at once if that node leaves the cluster.
 * A request nobody accepts in time was lost with its node and is handed to another one.
 */
public record Accepted(String id, String node) {

  /** Tells the caller that this node took call {@code id}; nothing to do for callers that do not watch. */
  public static void send(EventBus bus, String watchAddress, String id, String node) {
    if (watchAddress != null && node != null) {
      bus.send(watchAddress, new Accepted(id, node), Tracing.UNTRACED);
    }
  }

  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("node", node);
  }

  public static Accepted fromJson(JsonObject json) {
    return new Accepted(json.getString("id"), json.getString("node"));
  }
}
