package ai.poncho.provider.mock;

import ai.poncho.chat.ChatMessage;
import ai.poncho.chat.ChatRequest;
import ai.poncho.chat.FinishReason;
import ai.poncho.chat.ToolCall;
import ai.poncho.chat.Usage;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The mock model's deterministic answer, derived from the prompt: it echoes the last user message
 * ("Mock reply to: …"), in chunks of {@code tokensPerChunk} words, cut at {@code max_tokens}. When the
 * request forces a tool ({@code tool_choice} "required" or a named function) it calls that tool instead.
 * A {@code stop} sequence found in the reply ends it before the word where it starts, as a real model
 * stops (finish reason stop, and the sequence reported as Anthropic's {@code stop_sequence}).
 * One word counts as one token; prompt tokens are estimated as a tokenizer would (about 4 characters a token).
 *
 * <p>Content chunks are built when asked for, not planned up front, so a reply's memory does not grow
 * with its length (a long reply is a count, not a list of strings).
 */
record MockReply(String[] words, int produced, int tokensPerChunk, ToolCall toolCall, List<String> argumentChunks,
                 String finishReason, String stopSequence, Usage usage) {

  private static final String PREFIX = "Mock reply to:";
  private static final String EMPTY_PROMPT_REPLY = "Hello from the PonchoAI mock model.";
  private static final int ARGUMENT_FRAGMENT = 8;

  static MockReply plan(ChatRequest request, MockSettings settings, String callId) {
    String lastUser = lastUserText(request);
    int promptTokens = promptTokens(request);
    String forcedTool = forcedTool(request);
    if (forcedTool != null) {
      String arguments = new JsonObject().put("query", lastUser).encode();
      List<String> fragments = new ArrayList<>();
      for (int i = 0; i < arguments.length(); i += ARGUMENT_FRAGMENT) {
        fragments.add(arguments.substring(i, Math.min(arguments.length(), i + ARGUMENT_FRAGMENT)));
      }
      return new MockReply(new String[0], 0, 1, new ToolCall(callId, "function", forcedTool, arguments), fragments,
          FinishReason.TOOL_CALLS, null, Usage.of(promptTokens, fragments.size()));
    }
    String[] words = (lastUser.isBlank() ? EMPTY_PROMPT_REPLY : PREFIX + " " + lastUser).trim().split("\\s+");
    long wanted = settings.chunks() > 0 ? (long) settings.chunks() * settings.tokensPerChunk() : words.length;
    long limit = request.maxTokens() == null ? Integer.MAX_VALUE : request.maxTokens();
    int produced = (int) Math.min(Math.min(wanted, limit), Integer.MAX_VALUE);
    String stop = null;
    int stopAt = Integer.MAX_VALUE;
    for (String sequence : request.stop() == null ? List.<String>of() : request.stop()) {
      int at = wordOf(words, sequence);
      if (at < stopAt) {
        stopAt = at;
        stop = sequence;
      }
    }
    if (stop != null && stopAt < produced) {
      return new MockReply(words, stopAt, settings.tokensPerChunk(), null, List.of(), FinishReason.STOP, stop,
          Usage.of(promptTokens, stopAt));
    }
    return new MockReply(words, produced, settings.tokensPerChunk(), null, List.of(),
        produced < wanted ? FinishReason.LENGTH : FinishReason.STOP, null, Usage.of(promptTokens, produced));
  }

  /** The index of the word in which {@code sequence} first starts (within one pass of the reply), or MAX_VALUE. */
  private static int wordOf(String[] words, String sequence) {
    if (sequence.isEmpty()) {
      return Integer.MAX_VALUE;
    }
    int at = String.join(" ", words).indexOf(sequence);
    if (at < 0) {
      return Integer.MAX_VALUE;
    }
    int position = 0;
    for (int i = 0; i < words.length; i++) {
      position += words[i].length() + 1;
      if (at < position) {
        return i;
      }
    }
    return words.length - 1;
  }

  /** The whole text of a non-streamed answer. */
  String content() {
    if (toolCall != null) {
      return null;
    }
    StringBuilder text = new StringBuilder();
    for (int piece = 0; piece < pieces(); piece++) {
      appendChunk(text, piece);
    }
    return text.toString();
  }

  /** Content chunk {@code piece} (0-based): its words, each but the reply's first after a space. */
  String contentChunk(int piece) {
    return appendChunk(new StringBuilder(), piece).toString();
  }

  private StringBuilder appendChunk(StringBuilder text, int piece) {
    long first = (long) piece * tokensPerChunk;
    long end = Math.min(produced, first + tokensPerChunk);
    for (long i = first; i < end; i++) {
      if (i > 0) {
        text.append(' ');
      }
      text.append(words[(int) (i % words.length)]);
    }
    return text;
  }

  /** Chunks the stream will emit as content or tool-call fragments. */
  int pieces() {
    return toolCall != null ? argumentChunks.size() : (int) ((produced + (long) tokensPerChunk - 1) / tokensPerChunk);
  }

  private static String lastUserText(ChatRequest request) {
    List<ChatMessage> messages = request.messages();
    for (int i = messages.size() - 1; i >= 0; i--) {
      if (ChatMessage.USER.equals(messages.get(i).role())) {
        return messages.get(i).textContent().trim();
      }
    }
    return "";
  }

  private static int promptTokens(ChatRequest request) {
    int tokens = 3;
    for (ChatMessage message : request.messages()) {
      tokens += 4 + (message.textContent().length() + 3) / 4;
      if (message.parts() != null) {
        tokens += 85 * (int) message.parts().stream().filter(part -> part.isImage()).count();
      }
    }
    return tokens;
  }

  private static String forcedTool(ChatRequest request) {
    if (!request.hasTools()) {
      return null;
    }
    if (request.toolChoice() instanceof JsonObject choice) {
      return choice.getJsonObject("function").getString("name");
    }
    if ("required".equals(request.toolChoice())) {
      return request.tools().getJsonObject(0).getJsonObject("function").getString("name");
    }
    return null;
  }
}
