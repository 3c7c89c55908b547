package ai.poncho.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.poncho.chat.ChatJson;
import ai.poncho.chat.ChatRequest;
import ai.poncho.embedding.EmbeddingJson;
import ai.poncho.embedding.EmbeddingRequest;
import ai.poncho.embedding.EmbeddingResponse;
import ai.poncho.error.GatewayException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the key is made of, and how a request's own cache headers read. */
class CacheKeyTest {

  private static ChatRequest request(JsonObject body) {
    return ChatJson.request(body);
  }

  private static JsonObject body() {
    return new JsonObject().put("model", "gpt").put("temperature", 0).put("seed", 7)
        .put("response_format", new JsonObject().put("type", "json_schema").put("json_schema",
            new JsonObject().put("name", "x").put("strict", true)))
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi")));
  }

  private static CacheKey key(JsonObject body) {
    return CacheKey.of("gpt", "key:k1", null, request(body));
  }

  @Test
  void fieldOrderNumberFormAndDeliveryFieldsDoNotChangeTheKey() {
    JsonObject reordered = new JsonObject().put("messages", body().getJsonArray("messages")).put("seed", 7.0)
        .put("response_format", new JsonObject().put("json_schema", new JsonObject().put("strict", true)
            .put("name", "x")).put("type", "json_schema"))
        .put("temperature", 0.0).put("model", "gpt").put("stream", true)
        .put("stream_options", new JsonObject().put("include_usage", true)).put("user", "u-1")
        .put("metadata", new JsonObject().put("trace", "t"));
    assertThat(key(reordered)).isEqualTo(key(body()));
    assertThat(key(body()).hash()).hasSize(64);
  }

  @Test
  void everythingThatShapesTheAnswerChangesTheKey() {
    CacheKey base = key(body());
    assertThat(key(body().put("seed", 8))).isNotEqualTo(base);
    assertThat(key(body().put("top_p", 0.5))).isNotEqualTo(base);
    assertThat(key(body().put("max_tokens", 10))).isNotEqualTo(base);
    assertThat(key(body().put("stop", "END"))).isNotEqualTo(base);
    assertThat(key(body().put("presence_penalty", 1))).isNotEqualTo(base);
    assertThat(key(body().put("tool_choice", "none"))).isNotEqualTo(base);
    assertThat(key(body().put("response_format", new JsonObject().put("type", "text")))).isNotEqualTo(base);
    assertThat(CacheKey.of("other", "key:k1", null, request(body()))).isNotEqualTo(base);
    assertThat(CacheKey.of("gpt", "key:k2", null, request(body()))).isNotEqualTo(base);
    assertThat(CacheKey.of("gpt", "key:k1", "greet", request(body()))).isNotEqualTo(base);
  }

  @Test
  void replayPiecesNeverSplitASurrogatePair() {
    String text = "🌮".repeat(CachedAnswer.REPLAY_PIECE);
    assertThat(CachedAnswer.pieces(text)).allSatisfy(piece -> {
      assertThat(Character.isHighSurrogate(piece.charAt(piece.length() - 1))).isFalse();
      assertThat(Character.isLowSurrogate(piece.charAt(0))).isFalse();
    });
    assertThat(String.join("", CachedAnswer.pieces(text))).isEqualTo(text);
  }

  @Test
  void cacheHeadersAreRead() {
    assertThat(CacheControl.parse(null, null)).isEqualTo(CacheControl.DEFAULT);
    CacheControl both = CacheControl.parse("No-Cache, no-store", "600");
    assertThat(both.noCache()).isTrue();
    assertThat(both.noStore()).isTrue();
    assertThat(both.ttl()).isEqualTo(Duration.ofSeconds(600));
    assertThat(CacheControl.parse("max-age=0", null).noCache()).isTrue();
    assertThat(CacheControl.fromJson(both.withPrompt("p").toJson())).isEqualTo(both.withPrompt("p"));
    assertThatThrownBy(() -> CacheControl.parse(null, "-1")).isInstanceOf(GatewayException.class);
    assertThatThrownBy(() -> CacheControl.parse(null, "1.5")).isInstanceOf(GatewayException.class);
  }

  @Test
  void anEmbeddingsAnswerIsKeyedByItsInputsAndStoredWithItsVectors() {
    EmbeddingRequest floats = EmbeddingJson.request(new JsonObject().put("model", "vectors")
        .put("input", new JsonArray().add("alpha")).put("user", "u1"));
    EmbeddingRequest base64 = EmbeddingJson.request(new JsonObject().put("model", "vectors")
        .put("input", new JsonArray().add("alpha")).put("encoding_format", "base64"));
    EmbeddingRequest other = EmbeddingJson.request(new JsonObject().put("model", "vectors").put("input", "beta"));
    assertThat(CacheKey.of("vectors", "key:k", base64)).isEqualTo(CacheKey.of("vectors", "key:k", floats));
    assertThat(CacheKey.of("vectors", "key:k", other)).isNotEqualTo(CacheKey.of("vectors", "key:k", floats));
    assertThat(CacheKey.of("vectors", "key:j", floats)).isNotEqualTo(CacheKey.of("vectors", "key:k", floats));

    CachedAnswer stored = CachedAnswer.of(new EmbeddingResponse("vectors",
        List.of(new float[] {0.5f, -0.25f}, new float[] {1e-7f, 3.5f}), 9), 1234);
    CachedAnswer read = CachedAnswer.decode(stored.encode());
    assertThat(read.model()).isEqualTo("vectors");
    assertThat(read.expiresAtMillis()).isEqualTo(1234);
    assertThat(read.embedding().promptTokens()).isEqualTo(9);
    assertThat(read.embedding().vectors()).containsExactly(new float[] {0.5f, -0.25f}, new float[] {1e-7f, 3.5f});
  }
}
