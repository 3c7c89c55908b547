package ai.poncho.api.anthropic;

import ai.poncho.chat.ChatMessage;
import ai.poncho.chat.ChatRequest;
import ai.poncho.chat.ContentPart;
import ai.poncho.chat.ToolCall;
import ai.poncho.chat.ToolErrors;
import ai.poncho.error.ErrorKind;
import ai.poncho.error.GatewayError;
import ai.poncho.error.GatewayException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an Anthropic Messages request into the canonical {@link ChatRequest}, validating as Anthropic
 * does (400 naming the field). {@code system} becomes a system message; {@code tool_use} blocks
 * assistant tool calls; {@code tool_result} blocks tool messages, placed before the rest of their user
 * turn as OpenAI wants them right after the calls; images data URLs or URLs; {@code tools} with
 * {@code input_schema} function tools; {@code tool_choice} auto/any/tool/none the OpenAI equivalents;
 * {@code top_k} travels in {@code extra} for the providers that take it; {@code metadata.user_id} is
 * the user, other metadata keys (the mock's {@code mock_*}) gateway metadata.
 */
public final class AnthropicRequests {

  private AnthropicRequests() {
  }

  public static ChatRequest chat(JsonObject body) {
    return chat(body, true);
  }

  /** {@code count_tokens} takes the same body without {@code max_tokens}. */
  public static ChatRequest chat(JsonObject body, boolean requireMaxTokens) {
    String model = requiredString(body, "model");
    Integer maxTokens = positiveInt(body, "max_tokens");
    if (maxTokens == null && requireMaxTokens) {
      throw missing("max_tokens");
    }
    List<ChatMessage> messages = new ArrayList<>();
    system(body.getValue("system"), messages);
    Object rawMessages = body.getValue("messages");
    if (rawMessages == null) {
      throw missing("messages");
    }
    if (!(rawMessages instanceof JsonArray array) || array.isEmpty()) {
      throw invalid("messages", "messages: expected a non-empty array of messages.");
    }
    for (int i = 0; i < array.size(); i++) {
      message(array.getValue(i), "messages." + i, messages);
    }
    JsonObject extra = new JsonObject();
    Object topK = body.getValue("top_k");
    if (topK != null) {
      if (!(topK instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.longValue() < 0) {
        throw invalid("top_k", "top_k: expected a non-negative integer.");
      }
      extra.put("top_k", n.intValue());
    }
    JsonArray tools = tools(body.getValue("tools"));
    Object toolChoice = toolChoice(body.getValue("tool_choice"), extra);
    Map<String, Object> metadata = new LinkedHashMap<>();
    String user = metadata(body.getValue("metadata"), metadata);
    return new ChatRequest(model, messages, number(body, "temperature"), number(body, "top_p"), maxTokens,
        stopSequences(body.getValue("stop_sequences")), bool(body, "stream"), false, user, metadata, tools,
        toolChoice, extra);
  }

  private static void system(Object system, List<ChatMessage> messages) {
    if (system == null) {
      return;
    }
    if (system instanceof String text) {
      if (!text.isEmpty()) {
        messages.add(ChatMessage.of(ChatMessage.SYSTEM, text));
      }
      return;
    }
    if (!(system instanceof JsonArray blocks)) {
      throw invalid("system", "system: expected a string or an array of text blocks.");
    }
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < blocks.size(); i++) {
      if (!(blocks.getValue(i) instanceof JsonObject block) || !"text".equals(block.getValue("type"))
          || !(block.getValue("text") instanceof String part)) {
        throw invalid("system." + i, "system." + i + ": expected a text block {type: 'text', text}.");
      }
      text.append(text.isEmpty() ? "" : "\n\n").append(part);
    }
    if (!text.isEmpty()) {
      messages.add(ChatMessage.of(ChatMessage.SYSTEM, text.toString()));
    }
  }

  private static void message(Object value, String path, List<ChatMessage> messages) {
    if (!(value instanceof JsonObject json)) {
      throw invalid(path, path + ": expected a message object.");
    }
    Object role = json.getValue("role");
    if (!"user".equals(role) && !"assistant".equals(role)) {
      throw invalid(path + ".role", path + ".role: expected 'user' or 'assistant'.");
    }
    Object content = json.getValue("content");
    if (content instanceof String text) {
      messages.add(ChatMessage.of((String) role, text));
      return;
    }
    if (!(content instanceof JsonArray blocks) || blocks.isEmpty()) {
      throw invalid(path + ".content", path + ".content: expected a string or a non-empty array of content blocks.");
    }
    if ("assistant".equals(role)) {
      messages.add(assistant(blocks, path + ".content"));
    } else {
      user(blocks, path + ".content", messages);
    }
  }

  private static ChatMessage assistant(JsonArray blocks, String path) {
    StringBuilder text = new StringBuilder();
    List<ToolCall> calls = new ArrayList<>();
    for (int i = 0; i < blocks.size(); i++) {
      JsonObject block = block(blocks.getValue(i), path + "." + i);
      String type = block.getString("type");
      switch (type) {
        case "text" -> text.append(string(block, "text", path + "." + i));
        case "tool_use" -> {
          String id = string(block, "id", path + "." + i);
          String name = string(block, "name", path + "." + i);
          Object input = block.getValue("input");
          if (!(input instanceof JsonObject arguments)) {
            throw invalid(path + "." + i + ".input", path + "." + i + ".input: expected an object.");
          }
          calls.add(new ToolCall(id, "function", name, arguments.encode()));
        }
        // Thinking is the model's own scratchpad; other providers cannot take it back.
        case "thinking", "redacted_thinking" -> {
        }
        default -> throw unsupportedBlock(type, path + "." + i);
      }
    }
    String content = text.isEmpty() && !calls.isEmpty() ? null : text.toString();
    return new ChatMessage(ChatMessage.ASSISTANT, content, null, null, calls, null);
  }

  private static void user(JsonArray blocks, String path, List<ChatMessage> messages) {
    List<ContentPart> parts = new ArrayList<>();
    for (int i = 0; i < blocks.size(); i++) {
      String blockPath = path + "." + i;
      JsonObject block = block(blocks.getValue(i), blockPath);
      String type = block.getString("type");
      switch (type) {
        case "text" -> parts.add(ContentPart.text(string(block, "text", blockPath)));
        case "image" -> parts.add(image(block, blockPath));
        case "tool_result" -> messages.add(toolResult(block, blockPath));
        default -> throw unsupportedBlock(type, blockPath);
      }
    }
    if (!parts.isEmpty()) {
      boolean textOnly = parts.size() == 1 && !parts.get(0).isImage();
      messages.add(textOnly ? ChatMessage.of(ChatMessage.USER, parts.get(0).text())
          : new ChatMessage(ChatMessage.USER, null, parts, null, null, null));
    }
  }

  /** OpenAI tool messages carry text; an error result says so in its text, which every model can read. */
  private static ChatMessage toolResult(JsonObject block, String path) {
    String id = string(block, "tool_use_id", path);
    Object content = block.getValue("content");
    StringBuilder text = new StringBuilder();
    if (content instanceof String s) {
      text.append(s);
    } else if (content instanceof JsonArray parts) {
      for (int i = 0; i < parts.size(); i++) {
        JsonObject part = block(parts.getValue(i), path + ".content." + i);
        if (!"text".equals(part.getString("type"))) {
          throw invalid(path + ".content." + i, path + ".content." + i
              + ": the gateway passes text in tool results; '" + part.getString("type") + "' blocks are not supported.");
        }
        text.append(text.isEmpty() ? "" : "\n").append(string(part, "text", path + ".content." + i));
      }
    } else if (content != null) {
      throw invalid(path + ".content", path + ".content: expected a string or an array of text blocks.");
    }
    Object isError = block.getValue("is_error");
    if (isError != null && !(isError instanceof Boolean)) {
      throw invalid(path + ".is_error", path + ".is_error: expected a boolean.");
    }
    String result = Boolean.TRUE.equals(isError) ? ToolErrors.mark(text.toString()) : text.toString();
    return new ChatMessage(ChatMessage.TOOL, result, null, null, null, id);
  }

  private static ContentPart image(JsonObject block, String path) {
    if (!(block.getValue("source") instanceof JsonObject source)) {
      throw invalid(path + ".source", path + ".source: expected an image source object.");
    }
    String type = source.getString("type", "");
    return switch (type) {
      case "base64" -> {
        String mediaType = string(source, "media_type", path + ".source");
        if (!mediaType.startsWith("image/")) {
          throw invalid(path + ".source.media_type", path + ".source.media_type: expected an image media type.");
        }
        yield ContentPart.image("data:" + mediaType + ";base64," + string(source, "data", path + ".source"), null);
      }
      case "url" -> ContentPart.image(string(source, "url", path + ".source"), null);
      default -> throw invalid(path + ".source.type", path + ".source.type: expected 'base64' or 'url'.");
    };
  }

  private static JsonArray tools(Object value) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonArray array)) {
      throw invalid("tools", "tools: expected an array.");
    }
    JsonArray tools = new JsonArray();
    for (int i = 0; i < array.size(); i++) {
      String path = "tools." + i;
      if (!(array.getValue(i) instanceof JsonObject tool)) {
        throw invalid(path, path + ": expected a tool object {name, description, input_schema}.");
      }
      Object type = tool.getValue("type");
      if (type != null && !"custom".equals(type)) {
        throw invalid(path + ".type", path + ".type: the gateway supports client tools (with input_schema), not '"
            + type + "'.");
      }
      String name = string(tool, "name", path);
      if (!(tool.getValue("input_schema") instanceof JsonObject schema)) {
        throw invalid(path + ".input_schema", path + ".input_schema: Field required.");
      }
      JsonObject function = new JsonObject().put("name", name).put("parameters", schema);
      if (tool.getValue("description") instanceof String description) {
        function.put("description", description);
      }
      tools.add(new JsonObject().put("type", "function").put("function", function));
    }
    return tools;
  }

  private static Object toolChoice(Object value, JsonObject extra) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonObject choice)) {
      throw invalid("tool_choice", "tool_choice: expected an object {type: 'auto'|'any'|'tool'|'none'}.");
    }
    if (Boolean.TRUE.equals(choice.getValue("disable_parallel_tool_use"))) {
      extra.put("parallel_tool_calls", false);
    }
    return switch (String.valueOf(choice.getValue("type"))) {
      case "auto" -> "auto";
      case "any" -> "required";
      case "none" -> "none";
      case "tool" -> new JsonObject().put("type", "function")
          .put("function", new JsonObject().put("name", string(choice, "name", "tool_choice")));
      default -> throw invalid("tool_choice.type", "tool_choice.type: expected 'auto', 'any', 'tool' or 'none'.");
    };
  }

  private static String metadata(Object value, Map<String, Object> metadata) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonObject json)) {
      throw invalid("metadata", "metadata: expected an object.");
    }
    String user = null;
    for (Map.Entry<String, Object> entry : json) {
      Object v = entry.getValue();
      if ("user_id".equals(entry.getKey())) {
        if (v != null && !(v instanceof String)) {
          throw invalid("metadata.user_id", "metadata.user_id: expected a string.");
        }
        user = (String) v;
      } else if (v instanceof String || v instanceof Number || v instanceof Boolean) {
        metadata.put(entry.getKey(), v);
      } else if (v != null) {
        throw invalid("metadata." + entry.getKey(), "metadata." + entry.getKey() + ": expected a string or a number.");
      }
    }
    return user;
  }

  private static List<String> stopSequences(Object value) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonArray array) || !array.stream().allMatch(String.class::isInstance)) {
      throw invalid("stop_sequences", "stop_sequences: expected an array of strings.");
    }
    return array.isEmpty() ? null : array.stream().map(String.class::cast).toList();
  }

  private static JsonObject block(Object value, String path) {
    if (!(value instanceof JsonObject block) || !(block.getValue("type") instanceof String)) {
      throw invalid(path, path + ": expected a content block with a 'type'.");
    }
    return block;
  }

  private static GatewayException unsupportedBlock(String type, String path) {
    return invalid(path + ".type", path + ".type: content blocks of type '" + type
        + "' are not supported here (text, image, tool_use, tool_result are).");
  }

  private static String string(JsonObject json, String field, String path) {
    Object value = json.getValue(field);
    if (value == null) {
      throw missing(path + "." + field);
    }
    if (!(value instanceof String s)) {
      throw invalid(path + "." + field, path + "." + field + ": expected a string.");
    }
    return s;
  }

  private static String requiredString(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value == null) {
      throw missing(field);
    }
    if (!(value instanceof String s) || s.isBlank()) {
      throw invalid(field, field + ": expected a non-empty string.");
    }
    return s;
  }

  private static Integer positiveInt(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.longValue() < 1
        || n.longValue() > Integer.MAX_VALUE) {
      throw invalid(field, field + ": expected an integer of at least 1.");
    }
    return n.intValue();
  }

  /** Anthropic's temperature and top_p both range over 0..1. */
  private static Double number(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Number n) || Double.isNaN(n.doubleValue()) || n.doubleValue() < 0 || n.doubleValue() > 1) {
      throw invalid(field, field + ": expected a number between 0 and 1.");
    }
    return n.doubleValue();
  }

  private static boolean bool(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value != null && !(value instanceof Boolean)) {
      throw invalid(field, field + ": expected a boolean.");
    }
    return Boolean.TRUE.equals(value);
  }

  private static GatewayException missing(String field) {
    return new GatewayException(GatewayError.of(ErrorKind.INVALID_REQUEST, "missing_required_parameter", field,
        field + ": Field required"));
  }

  private static GatewayException invalid(String field, String message) {
    return new GatewayException(GatewayError.of(ErrorKind.INVALID_REQUEST, "invalid_value", field, message));
  }
}
