package ai.poncho.api.anthropic;

import ai.poncho.bus.RemoteChatStream;
import ai.poncho.bus.StreamEnd;
import ai.poncho.chat.ChatChunk;
import ai.poncho.chat.ToolCallDelta;
import ai.poncho.chat.Usage;
import ai.poncho.error.AnthropicErrors;
import ai.poncho.error.GatewayError;
import ai.poncho.http.ChatCompletionsHandler;
import ai.poncho.http.CostHeaders;
import ai.poncho.http.SseBatch;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/**
 * Writes a bus stream as Anthropic's Messages SSE: {@code message_start}, a {@code ping}, then per
 * content block {@code content_block_start}, {@code content_block_delta} ({@code text_delta} or
 * {@code input_json_delta}) and {@code content_block_stop}, then {@code message_delta} (stop reason and
 * the provider's usage, with the call's {@code cost_usd}) and {@code message_stop}; the cost is also the
 * trailer {@code x-poncho-cost-usd}. A {@code ping} goes out every ping interval while the
 * stream lasts; a failure after the start is an {@code error} event. Flow control as for OpenAI SSE. The
 * events of one bus message (one upstream read) go to the socket as one write, as in {@code SseWriter}.
 */
final class AnthropicStreamWriter {

  private static final JsonObject PING = new JsonObject().put("type", "ping");

  private final Vertx vertx;
  private final HttpServerResponse response;
  private final RemoteChatStream stream;
  private final String messageId;
  private final int estimatedInputTokens;
  private final long pingIntervalMs;
  /** Canonical tool-call index → its content block index. */
  private final Map<Integer, Integer> toolBlocks = new HashMap<>();
  private int blocks;
  private int openBlock = -1;
  private boolean textOpen;
  private String finishReason;
  private String stopSequence;
  private Usage usage;
  private long pingTimer = -1;
  private boolean started;
  /** The events written since the last socket write. */
  private final SseBatch pending;

  AnthropicStreamWriter(Vertx vertx, HttpServerResponse response, RemoteChatStream stream, String messageId,
                        int estimatedInputTokens, long pingIntervalMs) {
    this.vertx = vertx;
    this.response = response;
    this.pending = new SseBatch(response);
    this.stream = stream;
    this.messageId = messageId;
    this.estimatedInputTokens = estimatedInputTokens;
    this.pingIntervalMs = pingIntervalMs;
  }

  void run() {
    response.setChunked(true)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
        .putHeader("x-accel-buffering", "no")
        .putHeader(ChatCompletionsHandler.MODEL_HEADER, stream.model());
    CostHeaders.announceTrailer(response);
    if (stream.cache() != null) {
      response.putHeader(ChatCompletionsHandler.CACHE_HEADER, stream.cache());
    }
    response.closeHandler(v -> {
      stopPings();
      stream.cancel();
    });
    response.drainHandler(v -> stream.resume());
    stream.failureHandler(this::onFailure);
    stream.endHandler(this::onEnd);
    stream.batchEndHandler(v -> flush());
    stream.handler(this::onChunk);
  }

  /**
   * Sent with the first chunk, so that an Anthropic upstream's message id passes through; the input
   * tokens are the gateway's estimate until message_delta brings the provider's count.
   */
  private void start(String upstreamId) {
    if (started) {
      return;
    }
    started = true;
    JsonObject message = new JsonObject().put("id", upstreamId != null && upstreamId.startsWith("msg_") ? upstreamId
            : messageId).put("type", "message").put("role", "assistant")
        .put("model", stream.model()).put("content", new JsonArray()).put("stop_reason", null)
        .put("stop_sequence", null)
        .put("usage", new JsonObject().put("input_tokens", estimatedInputTokens).put("output_tokens", 0));
    write("message_start", new JsonObject().put("type", "message_start").put("message", message));
    write("ping", PING);
    if (pingIntervalMs > 0) {
      pingTimer = vertx.setPeriodic(pingIntervalMs, id -> {
        if (!response.ended() && !response.closed()) {
          write("ping", PING);
          flush();
        }
      });
    }
  }

  private void onChunk(ChatChunk chunk) {
    start(chunk.id());
    if (chunk.usage() != null) {
      usage = chunk.usage();
    }
    for (ChatChunk.Choice choice : chunk.choices()) {
      if (choice.index() != 0) {
        continue;
      }
      ChatChunk.Delta delta = choice.delta();
      if (delta.content() != null && !delta.content().isEmpty()) {
        text(delta.content());
      }
      if (delta.toolCalls() != null) {
        delta.toolCalls().forEach(this::tool);
      }
      if (choice.finishReason() != null) {
        finishReason = choice.finishReason();
        stopSequence = choice.stopSequence();
      }
    }
  }

  private void text(String text) {
    if (!textOpen) {
      closeBlock();
      openBlock = blocks++;
      textOpen = true;
      write("content_block_start", new JsonObject().put("type", "content_block_start").put("index", openBlock)
          .put("content_block", new JsonObject().put("type", "text").put("text", "")));
    }
    delta(openBlock, new JsonObject().put("type", "text_delta").put("text", text));
  }

  private void tool(ToolCallDelta call) {
    Integer block = toolBlocks.get(call.index());
    if (block == null) {
      closeBlock();
      block = blocks++;
      openBlock = block;
      toolBlocks.put(call.index(), block);
      write("content_block_start", new JsonObject().put("type", "content_block_start").put("index", block)
          .put("content_block", new JsonObject().put("type", "tool_use")
              .put("id", AnthropicMessages.toolUseId(call.id())).put("name", call.name())
              .put("input", new JsonObject())));
    }
    if (call.arguments() != null && !call.arguments().isEmpty()) {
      delta(block, new JsonObject().put("type", "input_json_delta").put("partial_json", call.arguments()));
    }
  }

  private void delta(int index, JsonObject delta) {
    write("content_block_delta", new JsonObject().put("type", "content_block_delta").put("index", index)
        .put("delta", delta));
  }

  private void closeBlock() {
    if (openBlock >= 0) {
      write("content_block_stop", new JsonObject().put("type", "content_block_stop").put("index", openBlock));
      openBlock = -1;
      textOpen = false;
    }
  }

  private void onEnd(StreamEnd end) {
    stopPings();
    if (response.ended() || response.closed()) {
      return;
    }
    start(null);
    if (blocks == 0) {
      text("");
    }
    closeBlock();
    JsonObject usageJson = new JsonObject().put("output_tokens", usage == null ? 0 : usage.completionTokens());
    if (usage != null) {
      usageJson.put("input_tokens", usage.promptTokens());
    }
    JsonObject messageDelta = new JsonObject().put("type", "message_delta")
        .put("delta", new JsonObject().put("stop_reason", AnthropicMessages.stopReason(finishReason, stopSequence))
            .put("stop_sequence", stopSequence))
        .put("usage", usageJson);
    CostHeaders.addToUsage(messageDelta, end.costUsd());
    write("message_delta", messageDelta);
    CostHeaders.putTrailer(response, end.costUsd());
    write("message_stop", new JsonObject().put("type", "message_stop"));
    response.end(pending.take());
  }

  private void onFailure(GatewayError error) {
    stopPings();
    if (!response.ended() && !response.closed()) {
      start(null);
      write("error", new JsonObject().put("type", "error").put("error", AnthropicErrors.error(error)));
      response.end(pending.take());
    }
  }

  private void stopPings() {
    if (pingTimer >= 0) {
      vertx.cancelTimer(pingTimer);
      pingTimer = -1;
    }
  }

  private void write(String type, JsonObject data) {
    pending.add(type, data.toBuffer());
  }

  private void flush() {
    if (pending.flush()) {
      stream.pause();
    }
  }
}
