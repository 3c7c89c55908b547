package ai.poncho.cache;

import ai.poncho.chat.ChatChunk;
import ai.poncho.chat.ChatJson;
import ai.poncho.chat.ChatMessage;
import ai.poncho.chat.ChatResponse;
import ai.poncho.chat.ToolCall;
import ai.poncho.chat.ToolCallDelta;
import ai.poncho.chat.Usage;
import ai.poncho.embedding.EmbeddingResponse;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * One stored answer, independent of how it was asked for: a non-streamed answer can be replayed as a
 * stream and a recorded stream answered as one JSON completion. {@code model} is the public model that
 * served it; {@code expiresAtMillis} is checked on every read (Redis also expires the key itself). The
 * answer of an embeddings call has its vectors in {@code embedding} (and no message); its key, made from
 * an embeddings request, never meets a chat call's.
 */
public record CachedAnswer(ChatMessage message, String finishReason, Usage usage, String systemFingerprint,
                           String model, long expiresAtMillis, EmbeddingResponse embedding) {

  /** Content replayed to a stream is cut into pieces of at most this many characters. */
  static final int REPLAY_PIECE = 96;

  public static CachedAnswer of(ChatResponse response, long expiresAtMillis) {
    ChatResponse.Choice choice = response.choices().get(0);
    return new CachedAnswer(choice.message(), choice.finishReason(), response.usage(), response.systemFingerprint(),
        response.model(), expiresAtMillis, null);
  }

  public static CachedAnswer of(EmbeddingResponse response, long expiresAtMillis) {
    return new CachedAnswer(null, null, Usage.of(response.promptTokens(), 0), null, response.model(),
        expiresAtMillis, response);
  }

  public boolean expired(long nowMillis) {
    return nowMillis >= expiresAtMillis;
  }

  /** As a fresh {@code chat.completion}: a new id and time, the stored content and usage. */
  public ChatResponse toResponse(String id, long created) {
    return new ChatResponse(id, created, model, List.of(new ChatResponse.Choice(0, message, finishReason)), usage,
        systemFingerprint);
  }

  /**
   * As the chunks an OpenAI stream would carry: the role, the content in pieces, each tool call (id and
   * name first, then its arguments in pieces), the finish reason, and the usage chunk.
   */
  public List<ChatChunk> toChunks(String id, long created) {
    List<ChatChunk> chunks = new ArrayList<>();
    String content = message.parts() == null ? message.text() : message.textContent();
    boolean hasContent = content != null && !content.isEmpty();
    List<ToolCall> calls = message.toolCalls() == null ? List.of() : message.toolCalls();
    chunks.add(ChatChunk.delta(id, created, model,
        new ChatChunk.Delta(ChatMessage.ASSISTANT, hasContent || calls.isEmpty() ? "" : null, null), null));
    if (hasContent) {
      for (String piece : pieces(content)) {
        chunks.add(ChatChunk.delta(id, created, model, new ChatChunk.Delta(null, piece, null), null));
      }
    }
    for (int index = 0; index < calls.size(); index++) {
      ToolCall call = calls.get(index);
      chunks.add(toolDelta(id, created, new ToolCallDelta(index, call.id(), call.type() == null ? "function"
          : call.type(), call.name(), "")));
      String arguments = call.arguments() == null ? "" : call.arguments();
      for (String piece : pieces(arguments)) {
        chunks.add(toolDelta(id, created, new ToolCallDelta(index, null, null, null, piece)));
      }
    }
    chunks.add(ChatChunk.delta(id, created, model, new ChatChunk.Delta(null, null, null), finishReason));
    if (usage != null) {
      chunks.add(ChatChunk.usageOnly(id, created, model, usage));
    }
    return chunks;
  }

  private ChatChunk toolDelta(String id, long created, ToolCallDelta delta) {
    return ChatChunk.delta(id, created, model, new ChatChunk.Delta(null, null, List.of(delta)), null);
  }

  /** Cuts text into pieces without splitting a surrogate pair. */
  static List<String> pieces(String text) {
    List<String> pieces = new ArrayList<>(text.length() / REPLAY_PIECE + 1);
    int start = 0;
    while (start < text.length()) {
      int end = Math.min(text.length(), start + REPLAY_PIECE);
      if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
        end--;
      }
      pieces.add(text.substring(start, end));
      start = end;
    }
    return pieces;
  }

  /** The stored form: this answer's JSON in UTF-8. */
  public byte[] encode() {
    return toJson().encode().getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  public static CachedAnswer decode(byte[] bytes) {
    return fromJson(new JsonObject(io.vertx.core.buffer.Buffer.buffer(bytes)));
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("finish_reason", finishReason)
        .put("usage", usage == null ? null : usage.toJson()).put("system_fingerprint", systemFingerprint)
        .put("model", model).put("expires_at", expiresAtMillis);
    // Vectors as base64, half the size of their float text.
    return embedding == null ? json.put("message", message.toJson()) : json.put("embedding", embedding.toJson(true));
  }

  public static CachedAnswer fromJson(JsonObject json) {
    JsonObject embedding = json.getJsonObject("embedding");
    return new CachedAnswer(embedding != null ? null : ChatJson.message(json.getJsonObject("message")),
        json.getString("finish_reason"), Usage.fromJson(json.getJsonObject("usage")),
        json.getString("system_fingerprint"), json.getString("model"), json.getLong("expires_at", 0L),
        embedding == null ? null : EmbeddingResponse.fromJson(embedding));
  }
}
