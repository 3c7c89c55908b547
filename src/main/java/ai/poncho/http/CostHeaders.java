package ai.poncho.http;

import ai.poncho.bus.Addresses;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/**
 * Every completion reports its cost in USD as an exact decimal string: {@code x-poncho-cost-usd} on a
 * non-streamed answer; a stream, whose cost is known only at its end, as the HTTP trailer
 * {@code x-poncho-cost-usd} (announced by {@code Trailer}) and {@code cost_usd} in the usage object of its
 * last event (the chat usage chunk, Anthropic's {@code message_delta}, the Responses API's
 * {@code response.completed}): an extra field there is one the vendors' SDKs keep and ignore.
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

  /** Says, before a stream's first byte, that its cost follows as a trailer. */
  public static void announceTrailer(HttpServerResponse response) {
    response.putHeader("trailer", COST_HEADER);
  }

  /** The stream's cost as its trailer; call just before ending the response. */
  public static void putTrailer(HttpServerResponse response, String cost) {
    if (cost != null) {
      response.putTrailer(COST_HEADER, cost);
    }
  }

  /** Adds {@code cost_usd} to {@code json}'s {@code usage} object, when there is a cost and a usage. */
  public static void addToUsage(JsonObject json, String cost) {
    if (cost != null && json.getValue("usage") instanceof JsonObject usage) {
      usage.put("cost_usd", cost);
    }
  }
}
