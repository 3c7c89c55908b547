package ai.poncho.cache;

import ai.poncho.chat.ChatRequest;
import ai.poncho.embedding.EmbeddingRequest;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Where one answer is stored: the public model (so a purge can pick a model's entries) and a SHA-256 over
 * the namespace and the normalised request. The request is its OpenAI form as the model receives it (after
 * the model's defaults), keys sorted, whole numbers written alike, without the fields that do not change
 * the answer; a {@code prompt:} call adds its prompt name. An embeddings call is keyed by its inputs.
 */
public record CacheKey(String model, String hash) {

  /** Who asked, how to deliver, and opaque identifiers: none of them changes what the model answers. */
  static final Set<String> IGNORED = Set.of("user", "metadata", "stream", "stream_options", "safety_identifier",
      "prompt_cache_key");

  public static CacheKey of(String model, String namespace, String prompt, ChatRequest request) {
    JsonObject json = request.toJson();
    IGNORED.forEach(json::remove);
    if (prompt != null) {
      json.put("poncho_prompt", prompt);
    }
    return of(model, namespace, json);
  }

  /**
   * The key of an embeddings call: its inputs and dimensions. The encoding (floats or base64) is only how
   * the same vectors are written out, so it is not part of the key.
   */
  public static CacheKey of(String model, String namespace, EmbeddingRequest request) {
    JsonObject json = request.toJson();
    json.remove("user");
    json.remove("encoding_format");
    return of(model, namespace, json.put("poncho_kind", "embeddings"));
  }

  private static CacheKey of(String model, String namespace, JsonObject json) {
    json.put("model", model);
    StringBuilder canonical = new StringBuilder(512).append(namespace).append('\n');
    append(canonical, json);
    return new CacheKey(model, sha256(canonical.toString()));
  }

  private static void append(StringBuilder sb, Object value) {
    if (value instanceof JsonObject object) {
      appendObject(sb, new TreeMap<>(object.getMap()));
    } else if (value instanceof Map<?, ?> map) {
      TreeMap<String, Object> sorted = new TreeMap<>();
      map.forEach((k, v) -> sorted.put(String.valueOf(k), v));
      appendObject(sb, sorted);
    } else if (value instanceof JsonArray array) {
      appendArray(sb, array.getList());
    } else if (value instanceof Iterable<?> list) {
      appendArray(sb, list);
    } else if (value instanceof Number number) {
      double d = number.doubleValue();
      if (d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 1e15) {
        sb.append((long) d);
      } else {
        sb.append(number);
      }
    } else {
      sb.append(Json.encode(value));
    }
  }

  private static void appendObject(StringBuilder sb, TreeMap<String, Object> sorted) {
    sb.append('{');
    boolean first = true;
    for (Map.Entry<String, Object> entry : sorted.entrySet()) {
      if (entry.getValue() == null) {
        continue;
      }
      if (!first) {
        sb.append(',');
      }
      first = false;
      sb.append(Json.encode(entry.getKey())).append(':');
      append(sb, entry.getValue());
    }
    sb.append('}');
  }

  private static void appendArray(StringBuilder sb, Iterable<?> items) {
    sb.append('[');
    boolean first = true;
    for (Object item : items) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      append(sb, item);
    }
    sb.append(']');
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
