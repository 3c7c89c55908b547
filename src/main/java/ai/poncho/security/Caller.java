package ai.poncho.security;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Who a request is for, as the HTTP edge authenticated it: the API key's id (never its secret), team and
 * limits. It travels with every dispatched call, also across cluster nodes, so the side where a call ends
 * can meter usage and cost per key and team. Open gateways (no auth) use {@link #ANONYMOUS}.
 * {@code models} (the key's allow-list) is checked at the edge that authenticated the call, so it does not
 * travel over the bus.
 */
public record Caller(String keyId, String team, KeyLimits limits, ModelPatterns models) {

  public static final Caller ANONYMOUS = new Caller(null, null, KeyLimits.NONE);

  /** Key under which the edge's auth step stores the caller in the routing context. */
  public static final String CONTEXT_KEY = "poncho.caller";

  public Caller {
    limits = limits == null ? KeyLimits.NONE : limits;
    models = models == null ? ModelPatterns.ALL : models;
  }

  public Caller(String keyId, String team, KeyLimits limits) {
    this(keyId, team, limits, ModelPatterns.ALL);
  }

  /** Whether this caller's key may use the model (a configured model name or {@code prompt:<name>}). */
  public boolean mayUse(String model) {
    return models.allows(model);
  }

  public boolean anonymous() {
    return keyId == null;
  }

  /** The caller the auth step stored, or {@link #ANONYMOUS} when auth is off. */
  public static Caller of(RoutingContext ctx) {
    Caller caller = ctx.get(CONTEXT_KEY);
    return caller == null ? ANONYMOUS : caller;
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject();
    if (keyId != null) {
      json.put("key_id", keyId);
    }
    if (team != null) {
      json.put("team", team);
    }
    JsonObject limitsJson = limits.toJson();
    if (!limitsJson.isEmpty()) {
      json.put("limits", limitsJson);
    }
    return json;
  }

  public static Caller fromJson(JsonObject json) {
    if (json == null || json.isEmpty()) {
      return ANONYMOUS;
    }
    JsonObject limits = json.getJsonObject("limits");
    return new Caller(json.getString("key_id"), json.getString("team"),
        limits == null ? KeyLimits.NONE : KeyLimits.fromJson(limits));
  }
}
