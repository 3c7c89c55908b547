package ai.poncho.ws;

import ai.poncho.chat.ChatRequest;

/** A valid client frame, as read by {@link ClientFrames#parse}. */
sealed interface ClientFrame {

  /** Starts a generation: a chat ({@code "chat"}) or a prompt execution ({@code "prompt"}). */
  record Generate(String id, String address, ChatRequest request) implements ClientFrame {
  }

  record Cancel(String id) implements ClientFrame {
  }

  record Ping() implements ClientFrame {
  }
}
