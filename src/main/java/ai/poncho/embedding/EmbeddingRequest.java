package ai.poncho.embedding;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * A validated {@code POST /v1/embeddings} request. Each input is a {@code String} or a token array
 * ({@code List<Integer>}); {@code base64} is the client's encoding_format (upstreams are always asked
 * for floats, the gateway encodes). {@code dimensions} null means the model's own size.
 */
public record EmbeddingRequest(String model, List<Object> inputs, boolean base64, Integer dimensions, String user) {

  public EmbeddingRequest {
    inputs = List.copyOf(inputs);
  }

  public EmbeddingRequest withModel(String newModel) {
    return new EmbeddingRequest(newModel, inputs, base64, dimensions, user);
  }

  /** The inputs as an upstream's {@code input} field. */
  public JsonArray inputJson() {
    JsonArray array = new JsonArray();
    inputs.forEach(input -> array.add(input instanceof List<?> tokens ? new JsonArray(new ArrayList<>(tokens)) : input));
    return array;
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("model", model).put("input", inputJson())
        .put("encoding_format", base64 ? "base64" : "float");
    if (dimensions != null) {
      json.put("dimensions", dimensions);
    }
    if (user != null) {
      json.put("user", user);
    }
    return json;
  }

  /** Reads the form {@link #toJson} writes (the clustered bus); requests from clients go through {@link EmbeddingJson}. */
  public static EmbeddingRequest fromJson(JsonObject json) {
    return EmbeddingJson.request(json);
  }
}
