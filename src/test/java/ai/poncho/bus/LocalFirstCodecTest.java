package ai.poncho.bus;

import static org.assertj.core.api.Assertions.assertThat;

import ai.poncho.chat.ChatChunk;
import ai.poncho.chat.ChatJson;
import ai.poncho.chat.ChatMessage;
import ai.poncho.chat.ChatRequest;
import ai.poncho.chat.ChatResponse;
import ai.poncho.chat.ToolCall;
import ai.poncho.chat.ToolCallDelta;
import ai.poncho.chat.Usage;
import ai.poncho.error.ErrorKind;
import ai.poncho.error.GatewayError;
import ai.poncho.security.BudgetPeriod;
import ai.poncho.security.Caller;
import ai.poncho.security.KeyLimits;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Every bus message survives the clustered (JSON) wire form unchanged, and is not copied locally. */
class LocalFirstCodecTest {

  private static final Caller CALLER = new Caller("key_1", "team-a",
      new KeyLimits(60, 1000, 2, new BigDecimal("12.50"), BudgetPeriod.MONTHLY));

  private static <T> T roundTrip(Class<T> type, T value, Function<T, JsonObject> toJson,
                                 Function<JsonObject, T> fromJson) {
    LocalFirstCodec<T> codec = new LocalFirstCodec<>(type, toJson, fromJson);
    assertThat(codec.transform(value)).isSameAs(value);
    Buffer wire = Buffer.buffer().appendString("prefix");
    codec.encodeToWire(wire, value);
    return codec.decodeFromWire("prefix".length(), wire);
  }

  private static ChatRequest request() {
    return ChatJson.request(new JsonObject().put("model", "deepseek-chat").put("stream", true)
        .put("stream_options", new JsonObject().put("include_usage", true))
        .put("messages", new JsonArray()
            .add(new JsonObject().put("role", "system").put("content", "Be brief."))
            .add(new JsonObject().put("role", "user").put("content", new JsonArray()
                .add(new JsonObject().put("type", "text").put("text", "What is this?"))
                .add(new JsonObject().put("type", "image_url").put("image_url",
                    new JsonObject().put("url", "data:image/png;base64,AAAA").put("detail", "low")))
                .add(new JsonObject().put("type", "input_audio").put("input_audio",
                    new JsonObject().put("data", "UklGRg==").put("format", "wav")))))
            .add(new JsonObject().put("role", "assistant").putNull("content").put("tool_calls", new JsonArray()
                .add(new JsonObject().put("id", "call_1").put("type", "function").put("function",
                    new JsonObject().put("name", "lookup").put("arguments", "{\"q\":1}")))))
            .add(new JsonObject().put("role", "tool").put("tool_call_id", "call_1").put("content", "42")))
        .put("temperature", 0.3).put("top_p", 0.8).put("max_tokens", 77).put("stop", new JsonArray().add("END"))
        .put("user", "u").put("metadata", new JsonObject().put("mock_chunks", 3).put("team", "x"))
        .put("tools", new JsonArray().add(new JsonObject().put("type", "function")
            .put("function", new JsonObject().put("name", "lookup"))))
        .put("tool_choice", new JsonObject().put("type", "function")
            .put("function", new JsonObject().put("name", "lookup")))
        .put("seed", 11).put("response_format", new JsonObject().put("type", "json_object")));
  }

  @Test
  void streamOpenKeepsTheWholeRequest() {
    StreamOpen open = new StreamOpen("req-1", CALLER, request(), "poncho.stream.sink.x", "s1", 16);
    StreamOpen decoded = roundTrip(StreamOpen.class, open, StreamOpen::toJson, StreamOpen::fromJson);
    assertThat(decoded).isEqualTo(open);
    assertThat(decoded.request().extra().getInteger("seed")).isEqualTo(11);
    assertThat(decoded.request().messages().get(2).toolCalls()).containsExactly(
        new ToolCall("call_1", "function", "lookup", "{\"q\":1}"));
  }

  @Test
  void dispatchRequestKeepsTheWholeRequest() {
    DispatchRequest request = new DispatchRequest("req-2", "call_1", CALLER, request().withStream(false));
    assertThat(roundTrip(DispatchRequest.class, request, DispatchRequest::toJson, DispatchRequest::fromJson))
        .isEqualTo(request);
    DispatchRequest attempt = request.forAttempt("call_1~2", "poncho.watch.z");
    assertThat(roundTrip(DispatchRequest.class, attempt, DispatchRequest::toJson, DispatchRequest::fromJson))
        .isEqualTo(attempt);
    StreamOpen open = new StreamOpen("req-1", CALLER, request(), "poncho.stream.sink.x", "s1", 16)
        .forAttempt("s1~2", "w");
    assertThat(roundTrip(StreamOpen.class, open, StreamOpen::toJson, StreamOpen::fromJson)).isEqualTo(open);
  }

  @Test
  void chunksKeepToolCallFragmentsAndUsage() {
    ChatChunk chunk = ChatChunk.delta("chatcmpl-1", 1700000000L, "m", new ChatChunk.Delta(null, null, List.of(
        new ToolCallDelta(0, "call_a", "function", "first", "{\"a\""),
        new ToolCallDelta(1, null, null, null, ":1}"))), null);
    StreamChunk message = new StreamChunk("s1", chunk);
    assertThat(roundTrip(StreamChunk.class, message, StreamChunk::toJson, StreamChunk::fromJson)).isEqualTo(message);
    StreamChunk usage = new StreamChunk("s1", ChatChunk.usageOnly("chatcmpl-1", 1L, "m", Usage.of(3, 4)));
    assertThat(roundTrip(StreamChunk.class, usage, StreamChunk::toJson, StreamChunk::fromJson)).isEqualTo(usage);
  }

  @Test
  void responsesEndsFailuresAndControlSurvive() {
    ChatResponse response = new ChatResponse("chatcmpl-2", 5L, "m", List.of(new ChatResponse.Choice(0,
        new ChatMessage(ChatMessage.ASSISTANT, null, null, null,
            List.of(new ToolCall("call_b", "function", "f", "{}")), null), "tool_calls")), Usage.of(1, 2), "fp");
    assertThat(roundTrip(ChatResponse.class, response, ChatResponse::toJson, ChatResponse::fromJson))
        .isEqualTo(response);
    StreamEnd end = new StreamEnd("s1", "length", Usage.of(5, 6), "m");
    assertThat(roundTrip(StreamEnd.class, end, StreamEnd::toJson, StreamEnd::fromJson)).isEqualTo(end);
    StreamFailure failure = new StreamFailure("s1",
        GatewayError.of(ErrorKind.RATE_LIMIT, "rate_limited", null, "slow down"));
    assertThat(roundTrip(StreamFailure.class, failure, StreamFailure::toJson, StreamFailure::fromJson))
        .isEqualTo(failure);
    StreamControl credit = StreamControl.credit("s1", 8);
    assertThat(roundTrip(StreamControl.class, credit, StreamControl::toJson, StreamControl::fromJson))
        .isEqualTo(credit);
    StreamStarted started = new StreamStarted("poncho.stream.control.y", "m");
    assertThat(roundTrip(StreamStarted.class, started, StreamStarted::toJson, StreamStarted::fromJson))
        .isEqualTo(started);
    StreamStarted checked = started.withOutput(new JsonObject().put("schema", new JsonObject().put("type", "object")));
    assertThat(roundTrip(StreamStarted.class, checked, StreamStarted::toJson, StreamStarted::fromJson))
        .isEqualTo(checked);
    StreamStarted onNode = checked.withNode("node-1").withUpstream(123_456_789L);
    assertThat(roundTrip(StreamStarted.class, onNode, StreamStarted::toJson, StreamStarted::fromJson))
        .isEqualTo(onNode);
    Accepted accepted = new Accepted("call_1~2", "node-2");
    assertThat(roundTrip(Accepted.class, accepted, Accepted::toJson, Accepted::fromJson)).isEqualTo(accepted);
    CompletionEvent event = new CompletionEvent("m", "mock", 200, true, 10L, 5L, 3, 4, "stop", "req-3", "key_1", "team-a");
    assertThat(roundTrip(CompletionEvent.class, event, CompletionEvent::toJson, CompletionEvent::fromJson))
        .isEqualTo(event);
    CompletionEvent fellBack = event.withRequest(CompletionEvent.EMBEDDINGS, "primary");
    assertThat(roundTrip(CompletionEvent.class, fellBack, CompletionEvent::toJson, CompletionEvent::fromJson))
        .isEqualTo(fellBack);
  }
  @Test
  void embeddingCallsAndVectorsCrossTheWire() {
    EmbeddingDispatch dispatch = new EmbeddingDispatch("req-3", "call_3", ai.poncho.security.Caller.ANONYMOUS, new ai.poncho.embedding.EmbeddingRequest(
        "vectors", List.of("alpha", List.of(1, 2, 3)), true, 8, "u"),
        ai.poncho.cache.CacheControl.of(false, true, java.time.Duration.ofSeconds(60)));
    assertThat(roundTrip(EmbeddingDispatch.class, dispatch, EmbeddingDispatch::toJson, EmbeddingDispatch::fromJson))
        .isEqualTo(dispatch);
    ai.poncho.embedding.EmbeddingResponse response = new ai.poncho.embedding.EmbeddingResponse("vectors",
        List.of(new float[] {0.1f, -0.25f}, new float[] {1e-7f, 3.5f}), 9);
    ai.poncho.embedding.EmbeddingResponse decoded = roundTrip(ai.poncho.embedding.EmbeddingResponse.class, response,
        ai.poncho.embedding.EmbeddingResponse::toJson, ai.poncho.embedding.EmbeddingResponse::fromJson);
    assertThat(decoded.model()).isEqualTo("vectors");
    assertThat(decoded.promptTokens()).isEqualTo(9);
    assertThat(decoded.vectors()).hasSize(2);
    assertThat(decoded.vectors().get(0)).containsExactly(0.1f, -0.25f);
    assertThat(decoded.vectors().get(1)).containsExactly(1e-7f, 3.5f);
  }

  @Test
  void stopSequencesCrossTheWire() {
    ChatResponse response = new ChatResponse("msg_1", 5L, "claude", List.of(new ChatResponse.Choice(0,
        ChatMessage.of(ChatMessage.ASSISTANT, "1, 2"), "stop", "3")), Usage.of(1, 2), null);
    assertThat(roundTrip(ChatResponse.class, response, ChatResponse::toJson, ChatResponse::fromJson).stopSequence())
        .isEqualTo("3");
    ChatChunk chunk = new ChatChunk("msg_1", 5L, "claude", List.of(new ChatChunk.Choice(0,
        new ChatChunk.Delta(null, null, null), "stop", "3")), null);
    assertThat(ChatChunk.fromJson(chunk.toJson()).stopSequence()).isEqualTo("3");
  }
  @Test
  void anthropicRequestsKeepAllTheirStopSequencesOnTheWire() {
    ChatRequest request = ai.poncho.api.anthropic.AnthropicRequests.chat(new JsonObject().put("model", "claude")
        .put("max_tokens", 10).put("stop_sequences", new JsonArray().add("a").add("b").add("c").add("d").add("e"))
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "x"))));
    DispatchRequest dispatch = new DispatchRequest("req-5", "call_5", ai.poncho.security.Caller.ANONYMOUS, request);
    assertThat(roundTrip(DispatchRequest.class, dispatch, DispatchRequest::toJson, DispatchRequest::fromJson)
        .request().stop()).containsExactly("a", "b", "c", "d", "e");
  }
}
