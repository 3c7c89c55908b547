package ai.poncho.chat;

import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;

/**
 * The gateway's token estimate of a request: o200k_base (JTokkit) over every message's text and the
 * tools' JSON, plus OpenAI's per-message framing and a flat 85 tokens per image. Providers count with
 * their own tokenizers, so it is an estimate; it costs CPU in proportion to the text, so callers run
 * it off the event loop.
 */
public final class TokenCount {

  private static final int PER_MESSAGE = 4;
  private static final int PER_REQUEST = 3;
  private static final int PER_IMAGE = 85;

  private TokenCount() {
  }

  /** Loaded on first use: building the encoding reads its vocabulary. */
  private static final class Holder {
    private static final Encoding ENCODING = Vocabularies.get(EncodingType.O200K_BASE);
  }

  public static int of(String text) {
    return text == null || text.isEmpty() ? 0 : Holder.ENCODING.countTokensOrdinary(text);
  }

  public static int of(ChatRequest request) {
    int tokens = PER_REQUEST;
    for (ChatMessage message : request.messages()) {
      tokens += PER_MESSAGE + of(message.textContent());
      if (message.parts() != null) {
        tokens += PER_IMAGE * (int) message.parts().stream().filter(ContentPart::isImage).count();
      }
      if (message.toolCalls() != null) {
        for (ToolCall call : message.toolCalls()) {
          tokens += of(call.name()) + of(call.arguments());
        }
      }
    }
    if (request.hasTools()) {
      tokens += of(request.tools().encode());
    }
    return tokens;
  }

  /** A cheap estimate for the event loop (about 4 characters a token), where an exact count is not needed. */
  public static int rough(ChatRequest request) {
    int tokens = PER_REQUEST;
    for (ChatMessage message : request.messages()) {
      tokens += PER_MESSAGE + (message.textContent().length() + 3) / 4;
    }
    return tokens;
  }
}
