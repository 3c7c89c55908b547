package ai.poncho.ws;

import ai.poncho.cache.CacheControl;
import ai.poncho.chat.ChatRequest;

/** A valid client frame, as read by {@link ClientFrames#parse}. */
sealed interface ClientFrame {

  /**
   * Starts a generation: a chat ({@code "chat"}) or a prompt execution ({@code "prompt"}), with the frame's
   * response-cache instructions (the HTTP API's {@code Cache-Control} and {@code x-poncho-cache-ttl}).
   */
  record Generate(String id, String address, ChatRequest request, CacheControl cache) implements ClientFrame {
  }

  record Cancel(String id) implements ClientFrame {
  }

  record Ping() implements ClientFrame {
  }
}
