package ai.poncho.bus;

import ai.poncho.chat.ChatJson;
import ai.poncho.chat.ChatRequest;
import ai.poncho.security.Caller;
import io.vertx.core.json.JsonObject;

/**
 * Opens a stream: the producer sends events tagged {@code streamId} to {@code sinkAddress} and may
 * have at most {@code window} chunks unacknowledged before it must wait for {@link StreamControl}
 * credit. Whoever forwards the open (prompt execution) keeps sink and id, so chunks go straight to the
 * consumer. When {@code watchAddress} is set (the caller is on a cluster) the taker sends it an
 * {@link Accepted}; each hop that forwards the open watches the next one with its own address.
 */
public record StreamOpen(String requestId, Caller caller, ChatRequest request, String sinkAddress, String streamId,
                         int window, String watchAddress) {

  public StreamOpen(String requestId, Caller caller, ChatRequest request, String sinkAddress, String streamId,
                    int window) {
    this(requestId, caller, request, sinkAddress, streamId, window, null);
  }

  public StreamOpen withRequest(ChatRequest newRequest) {
    return new StreamOpen(requestId, caller, newRequest, sinkAddress, streamId, window, watchAddress);
  }

  /** This open as attempt {@code id} (the stream id its chunks are tagged with), acknowledged to {@code watch}. */
  public StreamOpen forAttempt(String id, String watch) {
    return new StreamOpen(requestId, caller, request, sinkAddress, id, window, watch);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("request_id", requestId).put("caller", caller.toJson())
        .put("request", request.toJson()).put("sink", sinkAddress).put("stream_id", streamId).put("window", window);
    return watchAddress == null ? json : json.put("watch", watchAddress);
  }

  public static StreamOpen fromJson(JsonObject json) {
    return new StreamOpen(json.getString("request_id"), Caller.fromJson(json.getJsonObject("caller")),
        ChatJson.canonical(json.getJsonObject("request")), json.getString("sink"), json.getString("stream_id"),
        json.getInteger("window"), json.getString("watch"));
  }
}
