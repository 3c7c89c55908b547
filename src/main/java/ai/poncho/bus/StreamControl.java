package ai.poncho.bus;

import io.vertx.core.json.JsonObject;

/** Consumer → producer: grant {@code credits} more chunks, or cancel the stream. */
public record StreamControl(int credits, boolean cancel) {

  public static final StreamControl CANCEL = new StreamControl(0, true);

  public static StreamControl credit(int credits) {
    return new StreamControl(credits, false);
  }

  public JsonObject toJson() {
    return new JsonObject().put("credits", credits).put("cancel", cancel);
  }

  public static StreamControl fromJson(JsonObject json) {
    return new StreamControl(json.getInteger("credits", 0), json.getBoolean("cancel", false));
  }
}
