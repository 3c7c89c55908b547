package ai.poncho.security;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Extra fields other capabilities add to {@code GET /api/v1/keys/{id}} (e.g. the key's spend and
 * remaining budget); merged into the key's JSON. A lookup that fails leaves the key's own fields.
 */
public interface KeyDetails {

  KeyDetails NONE = key -> Future.succeededFuture(new JsonObject());

  Future<JsonObject> of(ApiKey key);
}
