package ai.poncho.http;

import ai.poncho.bus.Addresses;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/**
 * Every completion reports its cost in USD as an exact decimal string: {@code x-poncho-cost-usd} on a
 * non-streamed answer; a stream, whose cost is known only at its end, as the HTTP trailer
 * {@code x-poncho-cost-usd} (announced by {@code Trailer}) and {@code usage.cost_usd} in the final usage
 * chunk when the client asked for usage ({@code stream_options.include_usage}).
 */
public final class CostHeaders {

  public static final String COST_HEADER = "x-poncho-cost-usd";

  private CostHeaders() {
  }

  /** Copies the dispatcher's cost to the response header. */
  public static void apply(Message<?> reply, HttpServerResponse response) {
    String cost = reply.headers().get(Addresses.COST_HEADER);
    if (cost != null) {
      response.putHeader(COST_HEADER, cost);
    }
  }

  static void addToUsage(JsonObject chunk, String cost) {
    if (cost != null && chunk.getValue("usage") instanceof JsonObject usage) {
      usage.put("cost_usd", cost);
    }
  }
}
