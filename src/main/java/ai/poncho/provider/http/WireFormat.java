package ai.poncho.provider.http;

import ai.poncho.chat.ChatChunk;
import ai.poncho.chat.ChatResponse;
import ai.poncho.config.ModelConfig;
import ai.poncho.provider.ProviderCall;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** One vendor family's HTTP API: where to send, how to authenticate, and translation both ways. */
public interface WireFormat {

  /** The full URL of the chat endpoint for this model entry. */
  String url(ModelConfig model);

  /** Authentication and version headers (config's extra headers are added by the caller). */
  Map<String, String> headers(ModelConfig model);

  /** The request body; built the same way on every attempt, so a retry re-sends the same bytes. */
  JsonObject body(ProviderCall call, boolean stream);

  /** The canonical response from a successful non-streamed body; fails with {@link UpstreamException}. */
  ChatResponse response(ProviderCall call, JsonObject body);

  /**
   * The same from the body's bytes; a {@link io.vertx.core.json.DecodeException} when they are not JSON.
   * A format may read them without building the tree, as long as the answer and the errors stay the same.
   */
  default ChatResponse response(ProviderCall call, Buffer body) {
    return response(call, new JsonObject(body));
  }

  /** A fresh translator for one streamed response. */
  StreamTranslator translator(ProviderCall call);

  /** Turns one SSE stream's events into canonical chunks, in order. */
  interface StreamTranslator {

    /** Chunks for one event (possibly none); an {@link UpstreamException} when the event is an error or malformed. */
    List<ChatChunk> onEvent(String event, String data);

    /**
     * As {@link #onEvent(String, String)}, with the data as the UTF-8 bytes {@code data[from, to)}, valid
     * during the call only; a translator that reads bytes overrides it to skip decoding the whole event.
     */
    default List<ChatChunk> onEvent(String event, byte[] data, int from, int to) {
      return onEvent(event, new String(data, from, to - from, StandardCharsets.UTF_8));
    }

    /** Whether the upstream signalled the regular end ({@code [DONE]}, {@code message_stop}). */
    boolean done();
  }
}
