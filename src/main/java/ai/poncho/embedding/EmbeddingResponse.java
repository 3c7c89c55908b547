package ai.poncho.embedding;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Embedding vectors in input order, the model that made them and the input tokens, serialised as
 * OpenAI's {@code {"object":"list","data":[{"object":"embedding","index","embedding"}],"model","usage"}}.
 * Base64 is the little-endian float32 bytes of each vector, as OpenAI sends it.
 */
public record EmbeddingResponse(String model, List<float[]> vectors, int promptTokens) {

  public EmbeddingResponse {
    vectors = List.copyOf(vectors);
  }

  public EmbeddingResponse withModel(String newModel) {
    return new EmbeddingResponse(newModel, vectors, promptTokens);
  }

  public JsonObject toJson(boolean base64) {
    JsonArray data = new JsonArray();
    for (int i = 0; i < vectors.size(); i++) {
      float[] vector = vectors.get(i);
      data.add(new JsonObject().put("object", "embedding").put("index", i)
          .put("embedding", base64 ? encode(vector) : floats(vector)));
    }
    return new JsonObject().put("object", "list").put("data", data).put("model", model)
        .put("usage", new JsonObject().put("prompt_tokens", promptTokens).put("total_tokens", promptTokens));
  }

  public JsonObject toJson() {
    return toJson(false);
  }

  /** Reads an OpenAI embeddings body (an upstream's or the clustered bus'), float or base64, ordered by index. */
  public static EmbeddingResponse fromJson(JsonObject json) {
    JsonArray data = json.getJsonArray("data");
    if (data == null) {
      throw new IllegalArgumentException("no data in the embeddings response");
    }
    float[][] ordered = new float[data.size()][];
    for (int i = 0; i < data.size(); i++) {
      JsonObject item = data.getJsonObject(i);
      int index = item.getInteger("index", i);
      if (index < 0 || index >= ordered.length || ordered[index] != null) {
        throw new IllegalArgumentException("embedding indexes are not 0.." + (ordered.length - 1));
      }
      Object embedding = item.getValue("embedding");
      ordered[index] = embedding instanceof String s ? decode(s) : floats((JsonArray) embedding);
    }
    JsonObject usage = json.getJsonObject("usage", new JsonObject());
    return new EmbeddingResponse(json.getString("model"), List.of(ordered),
        usage.getInteger("prompt_tokens", usage.getInteger("total_tokens", 0)));
  }

  private static JsonArray floats(float[] vector) {
    List<Object> values = new ArrayList<>(vector.length);
    for (float v : vector) {
      values.add(v);
    }
    return new JsonArray(values);
  }

  private static float[] floats(JsonArray array) {
    float[] vector = new float[array.size()];
    for (int i = 0; i < vector.length; i++) {
      vector[i] = ((Number) array.getValue(i)).floatValue();
    }
    return vector;
  }

  private static String encode(float[] vector) {
    ByteBuffer bytes = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : vector) {
      bytes.putFloat(v);
    }
    return Base64.getEncoder().encodeToString(bytes.array());
  }

  private static float[] decode(String base64) {
    ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(base64)).order(ByteOrder.LITTLE_ENDIAN);
    float[] vector = new float[bytes.remaining() / Float.BYTES];
    for (int i = 0; i < vector.length; i++) {
      vector[i] = bytes.getFloat();
    }
    return vector;
  }
}
