package ai.poncho.cache;

import ai.poncho.chat.ChatChunk;
import ai.poncho.chat.ChatMessage;
import ai.poncho.chat.ChatStream;
import ai.poncho.chat.ToolCall;
import ai.poncho.chat.ToolCallDelta;
import ai.poncho.chat.Usage;
import io.vertx.core.Handler;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * A provider stream passed through unchanged while its answer is assembled for the cache: content,
 * tool calls (fragments joined by index), finish reason, usage. An answer that grows over the entry size
 * limit is dropped, not truncated.
 */
public final class RecordingStream implements ChatStream {

  private final ChatStream source;
  private final long maxChars;
  private final StringBuilder content = new StringBuilder();
  private final TreeMap<Integer, ToolCallBuilder> toolCalls = new TreeMap<>();
  private boolean sawContent;
  private long chars;
  private boolean tooLarge;
  private String finishReason;
  private Usage usage;

  private static final class ToolCallBuilder {
    String id;
    String type;
    String name;
    final StringBuilder arguments = new StringBuilder();
  }

  public RecordingStream(ChatStream source, long maxChars) {
    this.source = source;
    this.maxChars = maxChars;
  }

  @Override
  public RecordingStream handler(Handler<ChatChunk> handler) {
    source.handler(handler == null ? null : chunk -> {
      record(chunk);
      handler.handle(chunk);
    });
    return this;
  }

  private void record(ChatChunk chunk) {
    if (chunk.usage() != null) {
      usage = chunk.usage();
    }
    if (tooLarge) {
      return;
    }
    for (ChatChunk.Choice choice : chunk.choices()) {
      if (choice.index() != 0) {
        continue;
      }
      ChatChunk.Delta delta = choice.delta();
      if (delta.content() != null) {
        sawContent = true;
        content.append(delta.content());
        chars += delta.content().length();
      }
      if (delta.toolCalls() != null) {
        for (ToolCallDelta fragment : delta.toolCalls()) {
          ToolCallBuilder call = toolCalls.computeIfAbsent(fragment.index(), i -> new ToolCallBuilder());
          call.id = fragment.id() != null ? fragment.id() : call.id;
          call.type = fragment.type() != null ? fragment.type() : call.type;
          call.name = fragment.name() != null ? fragment.name() : call.name;
          if (fragment.arguments() != null) {
            call.arguments.append(fragment.arguments());
            chars += fragment.arguments().length();
          }
        }
      }
      if (choice.finishReason() != null) {
        finishReason = choice.finishReason();
      }
    }
    tooLarge = chars > maxChars;
  }

  /** The assembled answer, or null when it is not fit to store (too large, or no finish reason). */
  public CachedAnswer answer(String model, long expiresAtMillis) {
    if (tooLarge || finishReason == null) {
      return null;
    }
    List<ToolCall> calls = new ArrayList<>(toolCalls.size());
    toolCalls.values().forEach(call -> calls.add(new ToolCall(call.id, call.type == null ? "function" : call.type,
        call.name, call.arguments.toString())));
    ChatMessage message = new ChatMessage(ChatMessage.ASSISTANT,
        sawContent || calls.isEmpty() ? content.toString() : null, null, null, calls, null);
    return new CachedAnswer(message, finishReason, usage, null, model, expiresAtMillis, null);
  }

  @Override
  public boolean batchEndHandler(Handler<Void> handler) {
    return source.batchEndHandler(handler);
  }

  @Override
  public RecordingStream exceptionHandler(Handler<Throwable> handler) {
    source.exceptionHandler(handler);
    return this;
  }

  @Override
  public RecordingStream endHandler(Handler<Void> endHandler) {
    source.endHandler(endHandler);
    return this;
  }

  @Override
  public RecordingStream pause() {
    source.pause();
    return this;
  }

  @Override
  public RecordingStream resume() {
    source.resume();
    return this;
  }

  @Override
  public RecordingStream fetch(long amount) {
    source.fetch(amount);
    return this;
  }

  @Override
  public void cancel() {
    source.cancel();
  }
}
