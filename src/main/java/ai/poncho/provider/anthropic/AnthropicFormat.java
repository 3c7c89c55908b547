package ai.poncho.provider.anthropic;

import ai.poncho.chat.ChatChunk;
import ai.poncho.chat.ChatMessage;
import ai.poncho.chat.ChatRequest;
import ai.poncho.chat.ChatResponse;
import ai.poncho.chat.ContentPart;
import ai.poncho.chat.FinishReason;
import ai.poncho.chat.Ids;
import ai.poncho.chat.ToolCall;
import ai.poncho.chat.ToolCallDelta;
import ai.poncho.chat.ToolErrors;
import ai.poncho.chat.Usage;
import ai.poncho.config.ModelConfig;
import ai.poncho.error.ErrorKind;
import ai.poncho.error.GatewayError;
import ai.poncho.error.GatewayException;
import ai.poncho.provider.ProviderCall;
import ai.poncho.provider.http.Bodies;
import ai.poncho.provider.http.UpstreamErrors;
import ai.poncho.provider.http.WireFormat;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Anthropic Messages API ({@code POST /v1/messages}, {@code x-api-key}, {@code anthropic-version}).
 * System and developer messages become {@code system}; images become {@code image} blocks (URL or
 * base64 source); assistant tool calls become {@code tool_use} blocks and {@code tool} messages
 * {@code tool_result} blocks in a user turn. Responses and SSE events come back as OpenAI-shaped
 * completions and chunks, tool-call deltas numbered in the order the tool_use blocks start.
 */
public final class AnthropicFormat implements WireFormat {

  public static final String API_VERSION = "2023-06-01";

  @Override
  public String url(ModelConfig model) {
    return Bodies.join(model.baseUrl(), model.baseUrl().replaceAll("/+$", "").endsWith("/v1") ? "/messages"
        : "/v1/messages");
  }

  @Override
  public Map<String, String> headers(ModelConfig model) {
    Map<String, String> headers = new HashMap<>();
    headers.put("anthropic-version", API_VERSION);
    if (model.apiKey() != null && !model.apiKey().isBlank()) {
      headers.put("x-api-key", model.apiKey());
    }
    return headers;
  }

  @Override
  public JsonObject body(ProviderCall call, boolean stream) {
    ChatRequest request = call.request();
    JsonObject body = new JsonObject().put("model", call.model().modelName())
        .put("max_tokens", request.maxTokens() != null ? request.maxTokens() : call.model().maxTokens());
    StringBuilder system = new StringBuilder();
    JsonArray messages = new JsonArray();
    for (ChatMessage message : request.messages()) {
      switch (message.role()) {
        case ChatMessage.SYSTEM, ChatMessage.DEVELOPER -> {
          if (!system.isEmpty()) {
            system.append("\n\n");
          }
          system.append(message.textContent());
        }
        case ChatMessage.ASSISTANT -> append(messages, "assistant", assistantBlocks(message));
        case ChatMessage.TOOL -> append(messages, "user", new JsonArray().add(toolResult(message)));
        default -> append(messages, "user", userBlocks(message));
      }
    }
    if (!system.isEmpty()) {
      body.put("system", system.toString());
    }
    body.put("messages", messages);
    if (request.temperature() != null) {
      // Anthropic's range is 0..1, OpenAI's 0..2.
      body.put("temperature", Math.min(1.0, request.temperature()));
    }
    if (request.topP() != null) {
      body.put("top_p", request.topP());
    }
    if (request.extra().getValue("top_k") instanceof Number topK) {
      body.put("top_k", topK);
    }
    if (request.stop() != null && !request.stop().isEmpty()) {
      body.put("stop_sequences", new JsonArray(request.stop()));
    }
    if (request.user() != null) {
      body.put("metadata", new JsonObject().put("user_id", request.user()));
    }
    if (request.hasTools()) {
      body.put("tools", tools(request.tools()));
      JsonObject choice = toolChoice(request.toolChoice());
      if (choice != null) {
        body.put("tool_choice", choice);
      }
    }
    if (stream) {
      body.put("stream", true);
    }
    return Bodies.withDefaults(body, call.model().customParams());
  }

  /** Anthropic wants alternating turns: consecutive messages of one role (e.g. tool results) share a turn. */
  private static void append(JsonArray messages, String role, JsonArray blocks) {
    if (!messages.isEmpty()) {
      JsonObject last = messages.getJsonObject(messages.size() - 1);
      if (role.equals(last.getString("role"))) {
        last.getJsonArray("content").addAll(blocks);
        return;
      }
    }
    messages.add(new JsonObject().put("role", role).put("content", blocks));
  }

  private static JsonObject toolResult(ChatMessage message) {
    String text = message.textContent();
    JsonObject block = new JsonObject().put("type", "tool_result").put("tool_use_id", message.toolCallId())
        .put("content", ToolErrors.unmark(text));
    return ToolErrors.isMarked(text) ? block.put("is_error", true) : block;
  }

  private static JsonArray userBlocks(ChatMessage message) {
    JsonArray blocks = new JsonArray();
    if (message.parts() == null) {
      blocks.add(text(message.text() == null ? "" : message.text()));
      return blocks;
    }
    for (ContentPart part : message.parts()) {
      blocks.add(part.isImage() ? image(part.imageUrl()) : text(part.text()));
    }
    return blocks;
  }

  private static JsonArray assistantBlocks(ChatMessage message) {
    JsonArray blocks = new JsonArray();
    String text = message.textContent();
    if (!text.isEmpty()) {
      blocks.add(text(text));
    }
    if (message.toolCalls() != null) {
      for (ToolCall call : message.toolCalls()) {
        blocks.add(new JsonObject().put("type", "tool_use").put("id", call.id()).put("name", call.name())
            .put("input", arguments(call.arguments())));
      }
    }
    if (blocks.isEmpty()) {
      blocks.add(text(""));
    }
    return blocks;
  }

  private static JsonObject arguments(String arguments) {
    if (arguments == null || arguments.isBlank()) {
      return new JsonObject();
    }
    try {
      return new JsonObject(arguments);
    } catch (DecodeException | ClassCastException e) {
      throw new GatewayException(GatewayError.of(ErrorKind.INVALID_REQUEST, "invalid_value", "messages",
          "Tool call arguments must be a JSON object for this model."));
    }
  }

  private static JsonObject text(String text) {
    return new JsonObject().put("type", "text").put("text", text);
  }

  /** {@code data:<media type>;base64,<data>} becomes a base64 source; any other URL a url source. */
  private static JsonObject image(String url) {
    JsonObject source;
    if (url.startsWith("data:")) {
      int comma = url.indexOf(',');
      String meta = comma < 0 ? "" : url.substring(5, comma);
      String mediaType = meta.contains(";") ? meta.substring(0, meta.indexOf(';')) : meta;
      source = new JsonObject().put("type", "base64").put("media_type", mediaType.isEmpty() ? "image/png" : mediaType)
          .put("data", comma < 0 ? "" : url.substring(comma + 1));
    } else {
      source = new JsonObject().put("type", "url").put("url", url);
    }
    return new JsonObject().put("type", "image").put("source", source);
  }

  private static JsonArray tools(JsonArray openAiTools) {
    JsonArray tools = new JsonArray();
    for (Object item : openAiTools) {
      if (item instanceof JsonObject tool) {
        JsonObject function = tool.getJsonObject("function", new JsonObject());
        JsonObject converted = new JsonObject().put("name", function.getString("name"))
            .put("input_schema", function.getJsonObject("parameters", new JsonObject().put("type", "object")));
        if (function.getString("description") != null) {
          converted.put("description", function.getString("description"));
        }
        tools.add(converted);
      }
    }
    return tools;
  }

  private static JsonObject toolChoice(Object choice) {
    if (choice instanceof String s) {
      return switch (s) {
        case "required" -> new JsonObject().put("type", "any");
        case "none" -> new JsonObject().put("type", "none");
        default -> new JsonObject().put("type", "auto");
      };
    }
    if (choice instanceof JsonObject o) {
      String name = o.getJsonObject("function", new JsonObject()).getString("name");
      return name == null ? null : new JsonObject().put("type", "tool").put("name", name);
    }
    return null;
  }

  @Override
  public ChatResponse response(ProviderCall call, JsonObject body) {
    JsonArray content = body.getJsonArray("content");
    if (content == null) {
      throw UpstreamErrors.malformed(call.model(), "no content in the message");
    }
    StringBuilder text = new StringBuilder();
    List<ToolCall> calls = new ArrayList<>();
    for (int i = 0; i < content.size(); i++) {
      JsonObject block = content.getJsonObject(i);
      switch (block.getString("type", "")) {
        case "text" -> text.append(block.getString("text", ""));
        case "tool_use" -> calls.add(new ToolCall(block.getString("id"), "function", block.getString("name"),
            block.getJsonObject("input", new JsonObject()).encode()));
        default -> {
          // thinking and other vendor blocks are not part of an OpenAI completion
        }
      }
    }
    ChatMessage message = new ChatMessage(ChatMessage.ASSISTANT,
        text.isEmpty() && !calls.isEmpty() ? null : text.toString(), null, null, calls, null);
    return new ChatResponse(body.getString("id", Ids.completionId()), System.currentTimeMillis() / 1000,
        call.request().model(), List.of(new ChatResponse.Choice(0, message, finishReason(body.getString("stop_reason")),
            stopSequence(body.getString("stop_reason"), body.getString("stop_sequence")))),
        usage(body.getJsonObject("usage", new JsonObject()), 0), null);
  }

  static String finishReason(String stopReason) {
    if (stopReason == null) {
      return FinishReason.STOP;
    }
    return switch (stopReason) {
      case "max_tokens", "model_context_window_exceeded" -> FinishReason.LENGTH;
      case "tool_use" -> FinishReason.TOOL_CALLS;
      case "refusal" -> FinishReason.CONTENT_FILTER;
      default -> FinishReason.STOP;
    };
  }

  /** The matched stop sequence, kept for Anthropic clients (OpenAI's finish reason is just "stop"). */
  private static String stopSequence(String stopReason, String stopSequence) {
    return "stop_sequence".equals(stopReason) ? stopSequence : null;
  }

  /** Cached input counts as prompt tokens too, as OpenAI reports it. */
  private static Usage usage(JsonObject usage, int knownInput) {
    int input = usage.getInteger("input_tokens", knownInput) + usage.getInteger("cache_creation_input_tokens", 0)
        + usage.getInteger("cache_read_input_tokens", 0);
    return Usage.of(input, usage.getInteger("output_tokens", 0), usage.getInteger("cache_read_input_tokens", 0));
  }

  @Override
  public StreamTranslator translator(ProviderCall call) {
    return new Translator(call.model());
  }

  /** The Messages SSE event sequence as chat.completion.chunk objects. */
  private static final class Translator implements StreamTranslator {

    private final ModelConfig model;
    private final Map<Integer, Integer> toolIndexByBlock = new HashMap<>();
    private final long created = System.currentTimeMillis() / 1000;
    private String id = Ids.completionId();
    private String upstreamModel;
    private int inputTokens;
    private int outputTokens;
    private int cachedTokens;
    private boolean done;

    Translator(ModelConfig model) {
      this.model = model;
    }

    @Override
    public List<ChatChunk> onEvent(String event, String data) {
      JsonObject json;
      try {
        json = new JsonObject(data);
      } catch (DecodeException e) {
        throw UpstreamErrors.malformed(model, "an event is not JSON");
      }
      String type = json.getString("type", event);
      return switch (type) {
        case "message_start" -> {
          JsonObject message = json.getJsonObject("message", new JsonObject());
          id = message.getString("id", id);
          upstreamModel = message.getString("model");
          JsonObject usage = message.getJsonObject("usage", new JsonObject());
          inputTokens = usage(usage, 0).promptTokens();
          cachedTokens = usage.getInteger("cache_read_input_tokens", 0);
          outputTokens = usage.getInteger("output_tokens", 0);
          yield List.of(chunk(new ChatChunk.Delta(ChatMessage.ASSISTANT, "", null), null));
        }
        case "content_block_start" -> blockStart(json.getInteger("index", 0),
            json.getJsonObject("content_block", new JsonObject()));
        case "content_block_delta" -> blockDelta(json.getInteger("index", 0),
            json.getJsonObject("delta", new JsonObject()));
        case "message_delta" -> {
          JsonObject usage = json.getJsonObject("usage", new JsonObject());
          outputTokens = usage.getInteger("output_tokens", outputTokens);
          if (usage.getValue("input_tokens") != null) {
            inputTokens = usage(usage, inputTokens).promptTokens();
            cachedTokens = usage.getInteger("cache_read_input_tokens", cachedTokens);
          }
          JsonObject delta = json.getJsonObject("delta", new JsonObject());
          String stopReason = delta.getString("stop_reason");
          yield List.of(new ChatChunk(id, created, upstreamModel, List.of(new ChatChunk.Choice(0,
              new ChatChunk.Delta(null, null, null), finishReason(stopReason),
              stopSequence(stopReason, delta.getString("stop_sequence")))), null));
        }
        case "message_stop" -> {
          done = true;
          yield List.of(ChatChunk.usageOnly(id, created, upstreamModel, Usage.of(inputTokens, outputTokens, cachedTokens)));
        }
        case "error" -> throw UpstreamErrors.streamError(model, json);
        default -> List.of();
      };
    }

    private List<ChatChunk> blockStart(int blockIndex, JsonObject block) {
      switch (block.getString("type", "")) {
        case "text" -> {
          String text = block.getString("text", "");
          return text.isEmpty() ? List.of() : List.of(chunk(new ChatChunk.Delta(null, text, null), null));
        }
        case "tool_use" -> {
          int toolIndex = toolIndexByBlock.size();
          toolIndexByBlock.put(blockIndex, toolIndex);
          return List.of(chunk(new ChatChunk.Delta(null, null, List.of(new ToolCallDelta(toolIndex,
              block.getString("id"), "function", block.getString("name"), ""))), null));
        }
        default -> {
          return List.of();
        }
      }
    }

    private List<ChatChunk> blockDelta(int blockIndex, JsonObject delta) {
      switch (delta.getString("type", "")) {
        case "text_delta" -> {
          return List.of(chunk(new ChatChunk.Delta(null, delta.getString("text", ""), null), null));
        }
        case "input_json_delta" -> {
          Integer toolIndex = toolIndexByBlock.get(blockIndex);
          String fragment = delta.getString("partial_json", "");
          if (toolIndex == null || fragment.isEmpty()) {
            return List.of();
          }
          return List.of(chunk(new ChatChunk.Delta(null, null,
              List.of(new ToolCallDelta(toolIndex, null, null, null, fragment))), null));
        }
        default -> {
          // thinking_delta, signature_delta: vendor extras
          return List.of();
        }
      }
    }

    private ChatChunk chunk(ChatChunk.Delta delta, String finishReason) {
      return ChatChunk.delta(id, created, upstreamModel, delta, finishReason);
    }

    @Override
    public boolean done() {
      return done;
    }
  }
}
