package ai.poncho.chat;

import ai.poncho.error.ErrorKind;
import ai.poncho.error.GatewayError;
import ai.poncho.error.GatewayException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads OpenAI chat JSON into the canonical types. {@link #request} validates as the original
 * framework did and fails with a 400 naming the offending field; {@link #message} is the lenient
 * reader used for upstream responses.
 */
public final class ChatJson {

  private static final Set<String> ROLES = Set.of(ChatMessage.SYSTEM, ChatMessage.DEVELOPER, ChatMessage.USER,
      ChatMessage.ASSISTANT, ChatMessage.TOOL);
  private static final Set<String> INTERPRETED = Set.of("model", "messages", "temperature", "top_p", "max_tokens",
      "max_completion_tokens", "stop", "n", "stream", "stream_options", "user", "metadata", "tools", "tool_choice");
  private static final Set<String> TOOL_CHOICES = Set.of("none", "auto", "required");
  private static final int MAX_STOP_SEQUENCES = 4;

  private ChatJson() {
  }

  /** Validates an OpenAI chat-completions request body. */
  public static ChatRequest request(JsonObject body) {
    return request(body, MAX_STOP_SEQUENCES);
  }

  /**
   * Reads a canonical request as it crosses the clustered bus: validated as a client's, except that
   * it may carry more stop sequences than OpenAI's four (Anthropic clients may send any number).
   */
  public static ChatRequest canonical(JsonObject body) {
    return request(body, Integer.MAX_VALUE);
  }

  private static ChatRequest request(JsonObject body, int maxStopSequences) {
    String model = requiredString(body, "model");
    // A prompt execution (model "prompt:<name>") renders its own messages; any given are history.
    Object rawMessages = body.getValue("messages");
    boolean noHistory = rawMessages == null || rawMessages instanceof JsonArray array && array.isEmpty();
    List<ChatMessage> messages = model.startsWith("prompt:") && noHistory ? List.of() : messages(rawMessages);
    Double temperature = number(body, "temperature", 0, 2);
    Double topP = number(body, "top_p", 0, 1);
    Integer maxTokens = positiveInt(body, "max_completion_tokens");
    if (maxTokens == null) {
      maxTokens = positiveInt(body, "max_tokens");
    }
    Integer n = positiveInt(body, "n");
    if (n != null && n != 1) {
      throw invalid("n", "unsupported_value", "Only n=1 is supported.");
    }
    boolean stream = bool(body, "stream");
    boolean includeUsage = false;
    Object streamOptions = body.getValue("stream_options");
    if (streamOptions != null) {
      if (!(streamOptions instanceof JsonObject options)) {
        throw invalid("stream_options", "invalid_type", "Invalid type for 'stream_options': expected an object.");
      }
      if (!stream) {
        throw invalid("stream_options", "invalid_value",
            "The 'stream_options' parameter is only allowed when 'stream' is enabled.");
      }
      includeUsage = bool(options, "include_usage", "stream_options.include_usage");
    }
    return new ChatRequest(model, messages, temperature, topP, maxTokens, stop(body.getValue("stop"), maxStopSequences), stream,
        includeUsage, optionalString(body, "user"), metadata(body.getValue("metadata")), tools(body.getValue("tools")),
        toolChoice(body.getValue("tool_choice")), extra(body));
  }

  /** Reads a message without validation (upstream responses, the clustered bus). */
  public static ChatMessage message(JsonObject json) {
    Object content = json.getValue("content");
    String text = content instanceof String s ? s : null;
    List<ContentPart> parts = null;
    if (content instanceof JsonArray array) {
      parts = new ArrayList<>(array.size());
      for (int i = 0; i < array.size(); i++) {
        parts.add(part(array.getJsonObject(i), "content[" + i + "]"));
      }
    }
    return new ChatMessage(json.getString("role", ChatMessage.ASSISTANT), text, parts, json.getString("name"),
        toolCalls(json.getJsonArray("tool_calls")), json.getString("tool_call_id"));
  }

  private static List<ChatMessage> messages(Object value) {
    if (value == null) {
      throw new GatewayException(GatewayError.of(ErrorKind.INVALID_REQUEST, "missing_required_parameter",
          "messages", "Missing required parameter: 'messages'."));
    }
    if (!(value instanceof JsonArray array)) {
      throw invalid("messages", "invalid_type", "Invalid type for 'messages': expected an array.");
    }
    if (array.isEmpty()) {
      throw invalid("messages", "empty_array",
          "Invalid 'messages': empty array. Expected an array with minimum length 1.");
    }
    List<ChatMessage> messages = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      messages.add(validMessage(array.getValue(i), "messages[" + i + "]"));
    }
    return messages;
  }

  private static ChatMessage validMessage(Object value, String path) {
    if (!(value instanceof JsonObject json)) {
      throw invalid(path, "invalid_type", "Invalid type for '" + path + "': expected an object.");
    }
    Object role = json.getValue("role");
    if (!(role instanceof String r) || !ROLES.contains(r)) {
      throw invalid(path + ".role", "invalid_value", "Invalid value for '" + path
          + ".role': expected one of system, developer, user, assistant or tool.");
    }
    Object content = json.getValue("content");
    List<ToolCall> toolCalls = null;
    if (json.containsKey("tool_calls") && json.getValue("tool_calls") != null) {
      if (!ChatMessage.ASSISTANT.equals(r) || !(json.getValue("tool_calls") instanceof JsonArray)) {
        throw invalid(path + ".tool_calls", "invalid_value",
            "Invalid '" + path + ".tool_calls': only assistant messages carry an array of tool calls.");
      }
      toolCalls = validToolCalls(json.getJsonArray("tool_calls"), path + ".tool_calls");
    }
    String text = null;
    List<ContentPart> parts = null;
    if (content instanceof String s) {
      text = s;
    } else if (content instanceof JsonArray array) {
      if (array.isEmpty()) {
        throw invalid(path + ".content", "empty_array", "Invalid '" + path + ".content': empty array.");
      }
      parts = new ArrayList<>(array.size());
      for (int i = 0; i < array.size(); i++) {
        String partPath = path + ".content[" + i + "]";
        if (!(array.getValue(i) instanceof JsonObject part)) {
          throw invalid(partPath, "invalid_type", "Invalid type for '" + partPath + "': expected an object.");
        }
        parts.add(part(part, partPath));
      }
    } else if (content != null) {
      throw invalid(path + ".content", "invalid_type",
          "Invalid type for '" + path + ".content': expected a string or an array of content parts.");
    } else if (!(ChatMessage.ASSISTANT.equals(r) && toolCalls != null)) {
      throw invalid(path + ".content", "missing_required_parameter",
          "Missing required parameter: '" + path + ".content'.");
    }
    String toolCallId = null;
    if (ChatMessage.TOOL.equals(r)) {
      Object id = json.getValue("tool_call_id");
      if (!(id instanceof String s) || s.isEmpty()) {
        throw invalid(path + ".tool_call_id", "missing_required_parameter",
            "Missing required parameter: '" + path + ".tool_call_id'.");
      }
      toolCallId = s;
    }
    Object name = json.getValue("name");
    if (name != null && !(name instanceof String)) {
      throw invalid(path + ".name", "invalid_type", "Invalid type for '" + path + ".name': expected a string.");
    }
    return new ChatMessage(r, text, parts, (String) name, toolCalls, toolCallId);
  }

  private static ContentPart part(JsonObject json, String path) {
    String type = json.getValue("type") instanceof String s ? s : null;
    if (ContentPart.TEXT.equals(type)) {
      if (!(json.getValue("text") instanceof String text)) {
        throw invalid(path + ".text", "invalid_type", "Invalid type for '" + path + ".text': expected a string.");
      }
      return ContentPart.text(text);
    }
    if (ContentPart.IMAGE_URL.equals(type)) {
      Object image = json.getValue("image_url");
      if (image instanceof String url) {
        return ContentPart.image(url, null);
      }
      if (image instanceof JsonObject imageJson && imageJson.getValue("url") instanceof String url && !url.isEmpty()) {
        return ContentPart.image(url, imageJson.getString("detail"));
      }
      throw invalid(path + ".image_url", "invalid_value",
          "Invalid '" + path + ".image_url': expected an object with a 'url'.");
    }
    if (ContentPart.INPUT_AUDIO.equals(type)) {
      if (json.getValue("input_audio") instanceof JsonObject audio && audio.getValue("data") instanceof String data
          && !data.isEmpty() && audio.getValue("format") instanceof String format && !format.isEmpty()) {
        return ContentPart.audio(data, format);
      }
      throw invalid(path + ".input_audio", "invalid_value",
          "Invalid '" + path + ".input_audio': expected an object with 'data' (base64) and 'format'.");
    }
    throw invalid(path + ".type", "invalid_value", "Invalid value for '" + path
        + ".type': supported content part types are 'text', 'image_url' and 'input_audio'.");
  }

  private static List<ToolCall> validToolCalls(JsonArray array, String path) {
    List<ToolCall> calls = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      String callPath = path + "[" + i + "]";
      if (!(array.getValue(i) instanceof JsonObject call) || !(call.getValue("id") instanceof String id)
          || !(call.getValue("function") instanceof JsonObject function)
          || !(function.getValue("name") instanceof String name)) {
        throw invalid(callPath, "invalid_value",
            "Invalid '" + callPath + "': expected {id, type: 'function', function: {name, arguments}}.");
      }
      Object arguments = function.getValue("arguments");
      calls.add(new ToolCall(id, call.getString("type", "function"), name,
          arguments == null ? "" : arguments instanceof String s ? s : arguments.toString()));
    }
    return calls;
  }

  private static List<ToolCall> toolCalls(JsonArray array) {
    if (array == null) {
      return null;
    }
    List<ToolCall> calls = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      JsonObject call = array.getJsonObject(i);
      JsonObject function = call.getJsonObject("function", new JsonObject());
      calls.add(new ToolCall(call.getString("id"), call.getString("type", "function"), function.getString("name"),
          function.getString("arguments", "")));
    }
    return calls;
  }

  private static List<String> stop(Object value, int maxStopSequences) {
    if (value == null) {
      return null;
    }
    if (value instanceof String s) {
      return List.of(s);
    }
    if (value instanceof JsonArray array && array.size() <= maxStopSequences
        && array.stream().allMatch(String.class::isInstance)) {
      List<String> stops = new ArrayList<>(array.size());
      array.forEach(item -> stops.add((String) item));
      return stops;
    }
    throw invalid("stop", "invalid_value", "Invalid 'stop': expected a string or an array of at most "
        + MAX_STOP_SEQUENCES + " strings.");
  }

  private static Map<String, Object> metadata(Object value) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonObject json)) {
      throw invalid("metadata", "invalid_type", "Invalid type for 'metadata': expected an object.");
    }
    Map<String, Object> metadata = new LinkedHashMap<>();
    for (Map.Entry<String, Object> entry : json) {
      Object v = entry.getValue();
      if (!(v instanceof String || v instanceof Number || v instanceof Boolean)) {
        throw invalid("metadata." + entry.getKey(), "invalid_type",
            "Invalid type for 'metadata." + entry.getKey() + "': expected a string or a number.");
      }
      metadata.put(entry.getKey(), v);
    }
    return metadata;
  }

  private static JsonArray tools(Object value) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonArray array)) {
      throw invalid("tools", "invalid_type", "Invalid type for 'tools': expected an array.");
    }
    for (int i = 0; i < array.size(); i++) {
      if (!(array.getValue(i) instanceof JsonObject tool) || !(tool.getValue("function") instanceof JsonObject fn)
          || !(fn.getValue("name") instanceof String name) || name.isEmpty()) {
        throw invalid("tools[" + i + "]", "invalid_value",
            "Invalid 'tools[" + i + "]': expected {type: 'function', function: {name, parameters}}.");
      }
    }
    return array;
  }

  private static Object toolChoice(Object value) {
    if (value == null || value instanceof String s && TOOL_CHOICES.contains(s)) {
      return value;
    }
    if (value instanceof JsonObject json && json.getValue("function") instanceof JsonObject fn
        && fn.getValue("name") instanceof String) {
      return json;
    }
    throw invalid("tool_choice", "invalid_value",
        "Invalid 'tool_choice': expected 'none', 'auto', 'required' or {type: 'function', function: {name}}.");
  }

  private static JsonObject extra(JsonObject body) {
    JsonObject extra = new JsonObject();
    for (Map.Entry<String, Object> entry : body) {
      if (!INTERPRETED.contains(entry.getKey())) {
        extra.put(entry.getKey(), entry.getValue());
      }
    }
    return extra;
  }

  private static String requiredString(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value == null) {
      throw new GatewayException(GatewayError.of(ErrorKind.INVALID_REQUEST, "missing_required_parameter", field,
          "Missing required parameter: '" + field + "'."));
    }
    if (!(value instanceof String s) || s.isBlank()) {
      throw invalid(field, "invalid_type", "Invalid type for '" + field + "': expected a non-empty string.");
    }
    return s;
  }

  private static String optionalString(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value != null && !(value instanceof String)) {
      throw invalid(field, "invalid_type", "Invalid type for '" + field + "': expected a string.");
    }
    return (String) value;
  }

  private static Double number(JsonObject body, String field, double min, double max) {
    Object value = body.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Number n)) {
      throw invalid(field, "invalid_type", "Invalid type for '" + field + "': expected a number.");
    }
    double d = n.doubleValue();
    if (d < min || d > max || Double.isNaN(d)) {
      throw invalid(field, "invalid_value", "Invalid '" + field + "': expected a value between " + fmt(min)
          + " and " + fmt(max) + ", but got " + n + " instead.");
    }
    return d;
  }

  private static Integer positiveInt(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
      throw invalid(field, "invalid_type", "Invalid type for '" + field + "': expected an integer.");
    }
    if (n.longValue() < 1 || n.longValue() > Integer.MAX_VALUE) {
      throw invalid(field, "invalid_value", "Invalid '" + field + "': expected a value >= 1, but got " + n
          + " instead.");
    }
    return n.intValue();
  }

  private static boolean bool(JsonObject body, String field) {
    return bool(body, field, field);
  }

  private static boolean bool(JsonObject body, String field, String path) {
    Object value = body.getValue(field);
    if (value == null) {
      return false;
    }
    if (!(value instanceof Boolean b)) {
      throw invalid(path, "invalid_type", "Invalid type for '" + path + "': expected a boolean.");
    }
    return b;
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  private static GatewayException invalid(String param, String code, String message) {
    return new GatewayException(GatewayError.of(ErrorKind.INVALID_REQUEST, code, param, message));
  }
}
