package ai.poncho.api.responses;

import ai.poncho.bus.RemoteChatStream;
import ai.poncho.bus.StreamEnd;
import ai.poncho.chat.ChatChunk;
import ai.poncho.chat.Ids;
import ai.poncho.chat.ToolCallDelta;
import ai.poncho.chat.Usage;
import ai.poncho.error.GatewayError;
import ai.poncho.http.ChatCompletionsHandler;
import ai.poncho.http.CostHeaders;
import ai.poncho.http.SseBatch;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/**
 * Writes a bus stream as the Responses API's typed SSE events, each with its {@code sequence_number}:
 * {@code response.created}, {@code response.in_progress}; per output item {@code response.output_item.added},
 * for a message {@code response.content_part.added}, {@code response.output_text.delta}…,
 * {@code response.output_text.done}, {@code response.content_part.done}, for a function call
 * {@code response.function_call_arguments.delta}…, {@code response.function_call_arguments.done}, then
 * {@code response.output_item.done}; finally {@code response.completed} ({@code response.incomplete} when
 * cut at max_output_tokens, its {@code usage} with the call's {@code cost_usd}; the cost is also the trailer
 * {@code x-poncho-cost-usd}) or {@code response.failed}. Flow control as for chat SSE. The events of one
 * bus message (one upstream read) go to the socket as one write, as in {@code SseWriter}.
 */
final class ResponsesStreamWriter {

  private final HttpServerResponse response;
  private final RemoteChatStream stream;
  private final ResponseObject object;
  private final JsonArray output = new JsonArray();
  /** Canonical tool-call index → its output index. */
  private final Map<Integer, Integer> toolItems = new HashMap<>();
  private int sequence;
  /** The item being streamed: its output index, or -1. */
  private int open = -1;
  private final StringBuilder text = new StringBuilder();
  private final Map<Integer, StringBuilder> arguments = new HashMap<>();
  private String finishReason;
  private Usage usage;
  /** The events written since the last socket write. */
  private final SseBatch pending;

  ResponsesStreamWriter(HttpServerResponse response, RemoteChatStream stream, ResponseObject object) {
    this.response = response;
    this.pending = new SseBatch(response);
    this.stream = stream;
    this.object = object;
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
    write("response.created", new JsonObject().put("response", object.inProgress(stream.model())));
    write("response.in_progress", new JsonObject().put("response", object.inProgress(stream.model())));
    flush();
    response.closeHandler(v -> stream.cancel());
    response.drainHandler(v -> stream.resume());
    stream.failureHandler(this::onFailure);
    stream.endHandler(this::onEnd);
    stream.batchEndHandler(v -> flush());
    stream.handler(this::onChunk);
  }

  private void onChunk(ChatChunk chunk) {
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
      }
    }
  }

  private void text(String delta) {
    if (open < 0 || !isMessage(open)) {
      close();
      open = output.size();
      JsonObject item = ResponseObject.messageItem(Ids.random("msg_"), "in_progress", null);
      output.add(item);
      text.setLength(0);
      write("response.output_item.added", new JsonObject().put("output_index", open).put("item", item.copy()));
      write("response.content_part.added", part(open).put("part", ResponseObject.outputText("")));
    }
    text.append(delta);
    write("response.output_text.delta", part(open).put("delta", delta).put("logprobs", new JsonArray()));
  }

  private void tool(ToolCallDelta call) {
    Integer index = toolItems.get(call.index());
    if (index == null) {
      close();
      index = output.size();
      open = index;
      toolItems.put(call.index(), index);
      arguments.put(index, new StringBuilder());
      JsonObject item = ResponseObject.functionCallItem(Ids.random("fc_"), "in_progress",
          ResponseObject.callId(call.id()), call.name(), "");
      output.add(item);
      write("response.output_item.added", new JsonObject().put("output_index", index).put("item", item.copy()));
    }
    if (call.arguments() != null && !call.arguments().isEmpty()) {
      arguments.get(index).append(call.arguments());
      write("response.function_call_arguments.delta", new JsonObject().put("item_id", itemId(index))
          .put("output_index", index).put("delta", call.arguments()));
    }
  }

  /** Finishes the item being streamed: its done events, and its final form in the output. */
  private void close() {
    if (open < 0) {
      return;
    }
    JsonObject item = output.getJsonObject(open);
    if (isMessage(open)) {
      String full = text.toString();
      write("response.output_text.done", part(open).put("text", full).put("logprobs", new JsonArray()));
      write("response.content_part.done", part(open).put("part", ResponseObject.outputText(full)));
      item.put("status", "completed").put("content", new JsonArray().add(ResponseObject.outputText(full)));
    } else {
      String full = arguments.get(open).toString();
      write("response.function_call_arguments.done", new JsonObject().put("item_id", itemId(open))
          .put("output_index", open).put("name", item.getString("name")).put("arguments", full));
      item.put("status", "completed").put("arguments", full);
    }
    write("response.output_item.done", new JsonObject().put("output_index", open).put("item", item.copy()));
    open = -1;
  }

  private void onEnd(StreamEnd end) {
    if (response.ended() || response.closed()) {
      return;
    }
    if (output.isEmpty()) {
      text("");
    }
    close();
    JsonObject finished = object.finished(stream.model(), output.copy(), finishReason, usage);
    CostHeaders.addToUsage(finished, end.costUsd());
    String type = "incomplete".equals(finished.getString("status")) ? "response.incomplete" : "response.completed";
    CostHeaders.putTrailer(response, end.costUsd());
    write(type, new JsonObject().put("response", finished));
    response.end(pending.take());
  }

  private void onFailure(GatewayError error) {
    if (!response.ended() && !response.closed()) {
      String code = error.code() == null ? error.type() : error.code();
      write("response.failed", new JsonObject()
          .put("response", object.failed(stream.model(), output.copy(), code, error.message())));
      response.end(pending.take());
    }
  }

  private boolean isMessage(int index) {
    return "message".equals(output.getJsonObject(index).getString("type"));
  }

  private String itemId(int index) {
    return output.getJsonObject(index).getString("id");
  }

  private JsonObject part(int index) {
    return new JsonObject().put("item_id", itemId(index)).put("output_index", index).put("content_index", 0);
  }

  private void write(String type, JsonObject data) {
    JsonObject json = new JsonObject().put("type", type).put("sequence_number", sequence++);
    data.forEach(entry -> json.put(entry.getKey(), entry.getValue()));
    pending.add(type, json.toBuffer());
  }

  private void flush() {
    if (pending.flush()) {
      stream.pause();
    }
  }
}
