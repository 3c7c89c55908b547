package ai.poncho.cache;

import ai.poncho.error.GatewayError;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Locale;

/**
 * A request's own cache instructions, read at the HTTP edge and carried with the call over the bus:
 * {@code Cache-Control: no-cache} (skip the lookup, store the fresh answer), {@code no-store} (do not
 * store this answer) and {@code x-poncho-cache-ttl: <seconds>} (how long to keep it). {@code prompt}
 * names the prompt of a {@code prompt:<name>} call (set by prompt execution), which is part of the key.
 */
public record CacheControl(boolean noCache, boolean noStore, Duration ttl, String prompt) {

  public static final CacheControl DEFAULT = new CacheControl(false, false, null, null);
  public static final String TTL_HEADER = "x-poncho-cache-ttl";
  /** Longest per-request TTL accepted: a year. */
  public static final long MAX_TTL_SECONDS = 365L * 24 * 3600;
  private static final String CONTEXT_KEY = "poncho.cacheControl";

  /** The request's instructions, parsed once; a bad {@code x-poncho-cache-ttl} is a 400. */
  public static CacheControl of(RoutingContext ctx) {
    CacheControl control = ctx.get(CONTEXT_KEY);
    if (control == null) {
      control = parse(ctx.request().getHeader("cache-control"), ctx.request().getHeader(TTL_HEADER));
      ctx.put(CONTEXT_KEY, control);
    }
    return control;
  }

  static CacheControl parse(String cacheControl, String ttlHeader) {
    boolean noCache = false;
    boolean noStore = false;
    if (cacheControl != null) {
      for (String directive : cacheControl.split(",")) {
        String d = directive.trim().toLowerCase(Locale.ROOT);
        noCache |= d.equals("no-cache") || d.equals("max-age=0");
        noStore |= d.equals("no-store");
      }
    }
    Duration ttl = null;
    if (ttlHeader != null) {
      long seconds;
      try {
        seconds = Long.parseLong(ttlHeader.trim());
      } catch (NumberFormatException e) {
        seconds = -1;
      }
      if (seconds < 0 || seconds > MAX_TTL_SECONDS) {
        throw GatewayError.invalid(TTL_HEADER, "Invalid '" + TTL_HEADER + "' header: expected a whole number of "
            + "seconds between 0 and " + MAX_TTL_SECONDS + ", but got '" + ttlHeader + "'.").toException();
      }
      ttl = Duration.ofSeconds(seconds);
    }
    return of(noCache, noStore, ttl);
  }

  /** Instructions from anywhere (the WebSocket API's frames too); {@link #DEFAULT} when they say nothing. */
  public static CacheControl of(boolean noCache, boolean noStore, Duration ttl) {
    return noCache || noStore || ttl != null ? new CacheControl(noCache, noStore, ttl, null) : DEFAULT;
  }

  public CacheControl withPrompt(String name) {
    return new CacheControl(noCache, noStore, ttl, name);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject();
    if (noCache) {
      json.put("no_cache", true);
    }
    if (noStore) {
      json.put("no_store", true);
    }
    if (ttl != null) {
      json.put("ttl_ms", ttl.toMillis());
    }
    if (prompt != null) {
      json.put("prompt", prompt);
    }
    return json;
  }

  public static CacheControl fromJson(JsonObject json) {
    if (json == null || json.isEmpty()) {
      return DEFAULT;
    }
    Long ttl = json.getLong("ttl_ms");
    return new CacheControl(json.getBoolean("no_cache", false), json.getBoolean("no_store", false),
        ttl == null ? null : Duration.ofMillis(ttl), json.getString("prompt"));
  }
}
