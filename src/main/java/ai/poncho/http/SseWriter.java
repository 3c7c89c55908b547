package ai.poncho.http;

import ai.poncho.bus.RemoteChatStream;
import ai.poncho.bus.StreamEnd;
import ai.poncho.chat.ChatChunk;
import ai.poncho.chat.Ids;
import ai.poncho.prompt.StreamedOutput;
import ai.poncho.error.GatewayError;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * Writes a bus stream as OpenAI Server-Sent Events: {@code data: {chunk}} … {@code data: [DONE]}. A
 * failure after the start is sent as {@code data: {"error":…}} with no {@code [DONE]}. A full socket
 * pauses the stream (and so the upstream); a closed one cancels it. For a JSON-output prompt the last
 * chunk before {@code [DONE]} has no choices and carries {@code output_status} and {@code output}.
 * The events of one bus message (one upstream read) are written to the socket as one buffer when the
 * message has been handed on, so a stream costs a write per upstream read instead of one per event.
 */
public final class SseWriter {

  private static final String DONE = "data: [DONE]\n\n";

  private final HttpServerResponse response;
  private final RemoteChatStream stream;
  private final boolean includeUsage;
  private final StreamedOutput output;
  private ChatChunk last;
  /** The usage-only chunk, held until the end so that it can carry the stream's cost. */
  private ChatChunk usageChunk;
  /** The events handed on since the last socket write. */
  private final StringBuilder pending = new StringBuilder(1024);

  private SseWriter(HttpServerResponse response, RemoteChatStream stream, boolean includeUsage) {
    this.response = response;
    this.stream = stream;
    this.includeUsage = includeUsage;
    this.output = StreamedOutput.of(stream.outputCheck());
  }

  /** Completes when the client of {@code ctx} goes away before its answer ends. */
  public static Future<Void> clientGone(RoutingContext ctx) {
    Promise<Void> gone = Promise.promise();
    ctx.response().closeHandler(v -> gone.tryComplete());
    return gone.future();
  }

  /** Answers {@code ctx} with the stream once it opened, or with the error that refused it. */
  public static void respond(RoutingContext ctx, Future<RemoteChatStream> opening, boolean includeUsage) {
    opening.onSuccess(stream -> {
      if (ctx.response().closed()) {
        stream.cancel();
      } else {
        GatewayOverhead.streaming(ctx, stream);
        new SseWriter(ctx.response(), stream, includeUsage).run();
      }
    }).onFailure(ctx::fail);
  }

  private void run() {
    response.setChunked(true)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
        .putHeader("x-accel-buffering", "no")
        .putHeader(ChatCompletionsHandler.MODEL_HEADER, stream.model());
    CostHeaders.announceTrailer(response);
    if (stream.cache() != null) {
      response.putHeader(ChatCompletionsHandler.CACHE_HEADER, stream.cache());
    }
    response.closeHandler(v -> stream.cancel());
    response.drainHandler(v -> stream.resume());
    stream.failureHandler(this::onFailure);
    stream.endHandler(this::onEnd);
    stream.batchEndHandler(v -> writePending());
    stream.handler(this::onChunk);
  }

  private void onChunk(ChatChunk chunk) {
    if (output != null) {
      output.add(chunk);
      last = chunk;
    }
    if (!includeUsage && chunk.usage() != null) {
      if (chunk.choices().isEmpty()) {
        return;
      }
      chunk = new ChatChunk(chunk.id(), chunk.created(), chunk.model(), chunk.choices(), null);
    }
    if (includeUsage && chunk.usage() != null && chunk.choices().isEmpty()) {
      usageChunk = chunk;
      return;
    }
    pending.append("data: ");
    chunk.writeJson(pending, includeUsage);
    pending.append("\n\n");
  }

  private void writePending() {
    if (pending.length() > 0 && !response.closed()) {
      response.write(takePending());
      if (response.writeQueueFull()) {
        stream.pause();
      }
    }
  }

  private Buffer takePending() {
    Buffer buffer = Buffer.buffer(pending.toString());
    pending.setLength(0);
    return buffer;
  }

  private void onEnd(StreamEnd end) {
    if (response.closed()) {
      return;
    }
    if (usageChunk != null) {
      JsonObject json = usageChunk.toJson(true);
      CostHeaders.addToUsage(json, end.costUsd());
      event(json);
    }
    if (output != null) {
      event(outputChunk(end.model()));
    }
    CostHeaders.putTrailer(response, end.costUsd());
    pending.append(DONE);
    response.end(takePending());
  }

  /** A choice-less chunk, like the usage chunk, with the checked JSON output. */
  private JsonObject outputChunk(String model) {
    ChatChunk shape = last != null ? last : new ChatChunk(Ids.completionId(), System.currentTimeMillis() / 1000,
        model, List.of(), null);
    return new ChatChunk(shape.id(), shape.created(), shape.model(), List.of(), null).toJson().mergeIn(output.result());
  }

  private void onFailure(GatewayError error) {
    if (!response.ended() && !response.closed()) {
      event(error.toResponseJson());
      response.end(takePending());
    }
  }

  private void event(JsonObject json) {
    pending.append("data: ").append(json.encode()).append("\n\n");
  }
}
