package ai.poncho.provider.http;

import io.vertx.core.json.JsonObject;

/** Small helpers shared by the wire formats. */
public final class Bodies {

  private Bodies() {
  }

  /** A base URL and a path joined with exactly one slash. */
  public static String join(String baseUrl, String path) {
    String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    return base + (path.startsWith("/") ? path : "/" + path);
  }

  /** Adds the model's custom_params as defaults: whatever the request set wins. */
  public static JsonObject withDefaults(JsonObject body, JsonObject customParams) {
    customParams.forEach(entry -> {
      if (!body.containsKey(entry.getKey())) {
        body.put(entry.getKey(), entry.getValue());
      }
    });
    return body;
  }
}
