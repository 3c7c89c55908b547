package ai.poncho.security;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A managed API key as stored: everything but the secret, of which only the SHA-256 {@code hash} is kept.
 * After a rotation {@code previousHash} stays valid until {@code previousExpiresAt}.
 */
public record ApiKey(String id, String hash, String hint, String name, Role role, List<String> models,
                     Set<Endpoint> endpoints, String team, JsonObject metadata, Instant expiresAt, boolean enabled,
                     KeyLimits limits, Instant createdAt, Instant updatedAt, String previousHash,
                     Instant previousExpiresAt) {

  public ApiKey {
    models = List.copyOf(models);
    endpoints = endpoints.isEmpty() ? Endpoint.ALL : Set.copyOf(endpoints);
    metadata = metadata == null ? new JsonObject() : metadata.copy();
    limits = limits == null ? KeyLimits.NONE : limits;
  }

  public boolean expired(Instant now) {
    return expiresAt != null && !now.isBefore(expiresAt);
  }

  /** Whether {@code presentedHash} is this key's secret, or its previous one still within the grace period. */
  public boolean matches(String presentedHash, Instant now) {
    return KeySecrets.sameHash(hash, presentedHash)
        || previousHash != null && previousExpiresAt != null && now.isBefore(previousExpiresAt)
        && KeySecrets.sameHash(previousHash, presentedHash);
  }

  public Caller caller() {
    return new Caller(id, team, limits, ModelPatterns.of(models));
  }

  public ApiKey withSecret(String newHash, String newHint, String oldHash, Instant oldUntil, Instant now) {
    return new ApiKey(id, newHash, newHint, name, role, models, endpoints, team, metadata, expiresAt, enabled, limits,
        createdAt, now, oldHash, oldUntil);
  }

  /** The key as the API shows it: no hash, ever. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("id", id).put("object", "api_key").put("name", name)
        .put("key_hint", hint).put("role", role.wireName()).put("models", new JsonArray(models))
        .put("endpoints", endpointsJson()).put("team", team).put("metadata", metadata.copy())
        .put("expires_at", seconds(expiresAt)).put("enabled", enabled).put("created_at", seconds(createdAt))
        .put("updated_at", seconds(updatedAt));
    KeyLimits.FIELDS.forEach(field -> json.put(field, null));
    json.mergeIn(limits.toJson());
    if (previousExpiresAt != null && Instant.now().isBefore(previousExpiresAt)) {
      json.put("previous_key_expires_at", seconds(previousExpiresAt));
    }
    return json;
  }

  /** The stored form: {@link #toJson()} plus the hashes. */
  public JsonObject toStorageJson() {
    JsonObject json = toJson().put("hash", hash).put("previous_hash", previousHash)
        .put("previous_expires_at", previousExpiresAt == null ? null : previousExpiresAt.toEpochMilli())
        .put("created_at_ms", createdAt.toEpochMilli()).put("updated_at_ms", updatedAt.toEpochMilli())
        .put("expires_at_ms", expiresAt == null ? null : expiresAt.toEpochMilli());
    json.remove("previous_key_expires_at");
    return json;
  }

  public static ApiKey fromStorageJson(JsonObject json) {
    Set<Endpoint> endpoints = EnumSet.noneOf(Endpoint.class);
    json.getJsonArray("endpoints", new JsonArray()).forEach(e -> {
      Endpoint endpoint = Endpoint.parse(e);
      if (endpoint != null) {
        endpoints.add(endpoint);
      }
    });
    List<String> models = json.getJsonArray("models", new JsonArray()).stream().map(String::valueOf).toList();
    return new ApiKey(json.getString("id"), json.getString("hash"), json.getString("key_hint"),
        json.getString("name"), Role.parse(json.getString("role")), models, endpoints, json.getString("team"),
        json.getJsonObject("metadata"), instant(json.getLong("expires_at_ms")), json.getBoolean("enabled", true),
        KeyLimits.fromJson(json), instant(json.getLong("created_at_ms")), instant(json.getLong("updated_at_ms")),
        json.getString("previous_hash"), instant(json.getLong("previous_expires_at")));
  }

  private JsonArray endpointsJson() {
    JsonArray array = new JsonArray();
    for (Endpoint endpoint : Endpoint.values()) {
      if (endpoints.contains(endpoint)) {
        array.add(endpoint.wireName());
      }
    }
    return array;
  }

  private static Long seconds(Instant instant) {
    return instant == null ? null : instant.getEpochSecond();
  }

  private static Instant instant(Long millis) {
    return millis == null ? null : Instant.ofEpochMilli(millis);
  }
}
