package ai.poncho.api.responses;

import ai.poncho.chat.ChatMessage;
import ai.poncho.chat.ChatRequest;
import ai.poncho.chat.ContentPart;
import ai.poncho.chat.ToolCall;
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
 * Reads an OpenAI Responses request (the stateless subset) into the canonical {@link ChatRequest}:
 * {@code instructions} a system message; {@code input} a string or items (messages with
 * {@code input_text}/{@code input_image}/{@code output_text} parts, {@code function_call},
 * {@code function_call_output}); function {@code tools}; {@code tool_choice}; {@code max_output_tokens};
 * {@code text.format} as {@code response_format}. What needs server-side state
 * ({@code previous_response_id}, {@code conversation}, {@code background}, {@code store: true}, item
 * references) is a 400, as is every other feature it cannot honour (hosted tools, files, reasoning).
 */
public final class ResponsesRequests {

  private static final Set<String> ROLES = Set.of("user", "assistant", "system", "developer");
  private static final Set<String> STATEFUL = Set.of("previous_response_id", "conversation");

  private ResponsesRequests() {
  }

  public static ChatRequest chat(JsonObject body) {
    for (String field : STATEFUL) {
      if (body.getValue(field) != null) {
        throw error("unsupported_parameter", field, "'" + field + "' is not supported: this gateway keeps no "
            + "responses (stateless, as with store: false). Send the whole conversation in 'input' instead.");
      }
    }
    if (Boolean.TRUE.equals(body.getValue("background"))) {
      throw error("unsupported_parameter", "background",
          "'background' is not supported: this gateway keeps no responses to poll.");
    }
    unsupported(body);
    Object model = body.getValue("model");
    if (model == null) {
      throw error("missing_required_parameter", "model", "Missing required parameter: 'model'.");
    }
    if (!(model instanceof String name) || name.isBlank()) {
      throw invalid("model", "Invalid type for 'model': expected a non-empty string.");
    }
    List<ChatMessage> messages = new ArrayList<>();
    Object instructions = body.getValue("instructions");
    if (instructions != null) {
      if (!(instructions instanceof String text)) {
        throw invalid("instructions", "Invalid type for 'instructions': expected a string.");
      }
      if (!text.isEmpty()) {
        messages.add(ChatMessage.of(ChatMessage.SYSTEM, text));
      }
    }
    input(body.getValue("input"), messages);
    if (messages.stream().noneMatch(message -> !ChatMessage.SYSTEM.equals(message.role()))) {
      throw error("missing_required_parameter", "input", "Missing required parameter: 'input'.");
    }
    JsonObject extra = new JsonObject();
    Object parallel = body.getValue("parallel_tool_calls");
    if (parallel instanceof Boolean b) {
      extra.put("parallel_tool_calls", b);
    }
    Object format = textFormat(body.getValue("text"));
    if (format != null) {
      extra.put("response_format", format);
    }
    Object user = body.getValue("user");
    if (user != null && !(user instanceof String)) {
      throw invalid("user", "Invalid type for 'user': expected a string.");
    }
    Object stream = body.getValue("stream");
    if (stream != null && !(stream instanceof Boolean)) {
      throw invalid("stream", "Invalid type for 'stream': expected a boolean.");
    }
    return new ChatRequest(name, messages, number(body, "temperature", 2), number(body, "top_p", 1),
        positiveInt(body, "max_output_tokens"), null, Boolean.TRUE.equals(stream), false, (String) user,
        metadata(body.getValue("metadata")), tools(body.getValue("tools")), toolChoice(body.getValue("tool_choice")),
        extra);
  }

  /**
   * What this gateway cannot honour is refused by name rather than ignored: stored responses
   * ({@code store: true}), OpenAI-hosted reusable prompts, reasoning settings and {@code include}
   * (which asks for hosted-tool results, reasoning content or logprobs), and {@code truncation: auto}.
   */
  private static void unsupported(JsonObject body) {
    Object store = body.getValue("store");
    if (store != null && !(store instanceof Boolean)) {
      throw invalid("store", "Invalid type for 'store': expected a boolean.");
    }
    if (Boolean.TRUE.equals(store)) {
      throw error("unsupported_parameter", "store", "'store: true' is not supported: this gateway keeps no "
          + "responses (stateless). Send store: false, or leave it out, and the whole conversation in 'input'.");
    }
    if (body.getValue("prompt") != null) {
      throw error("unsupported_parameter", "prompt", "'prompt' (a reusable prompt stored at OpenAI) is not "
          + "supported; send 'input', or run a PonchoAI managed prompt with model 'prompt:<name>'.");
    }
    Object reasoning = body.getValue("reasoning");
    if (reasoning instanceof JsonObject settings ? settings.stream().anyMatch(e -> e.getValue() != null)
        : reasoning != null) {
      throw error("unsupported_parameter", "reasoning", "'reasoning' is not supported: the gateway serves "
          + "every provider's models through one chat path that carries no reasoning settings or summaries.");
    }
    Object include = body.getValue("include");
    if (include instanceof JsonArray list ? !list.isEmpty() : include != null) {
      throw error("unsupported_parameter", "include", "'include' is not supported: hosted tool results, "
          + "reasoning content and logprobs are not available through this gateway.");
    }
    Object truncation = body.getValue("truncation");
    if (truncation != null && !"disabled".equals(truncation)) {
      throw error("unsupported_parameter", "truncation", "Only 'truncation: disabled' is supported: the "
          + "gateway does not shorten the input; a too-long input fails as the model's context allows.");
    }
  }

  private static void input(Object input, List<ChatMessage> messages) {
    if (input == null) {
      throw error("missing_required_parameter", "input", "Missing required parameter: 'input'.");
    }
    if (input instanceof String text) {
      messages.add(ChatMessage.of(ChatMessage.USER, text));
      return;
    }
    if (!(input instanceof JsonArray items) || items.isEmpty()) {
      throw invalid("input", "Invalid 'input': expected a string or a non-empty array of input items.");
    }
    for (int i = 0; i < items.size(); i++) {
      String path = "input[" + i + "]";
      if (!(items.getValue(i) instanceof JsonObject item)) {
        throw invalid(path, "Invalid type for '" + path + "': expected an object.");
      }
      String type = item.getValue("type") instanceof String s ? s : item.containsKey("role") ? "message" : "";
      switch (type) {
        case "message" -> messages.add(message(item, path));
        case "function_call" -> functionCall(item, path, messages);
        case "function_call_output" -> messages.add(new ChatMessage(ChatMessage.TOOL,
            output(item.getValue("output"), path + ".output"), null, null, null, string(item, "call_id", path)));
        // Reasoning items are a model's own; no other model can take them back.
        case "reasoning" -> {
        }
        case "item_reference" -> throw error("unsupported_parameter", path,
            "Invalid '" + path + "': item references need stored responses, which this gateway does not keep.");
        default -> throw invalid(path + ".type", "Invalid value for '" + path + ".type': supported input items "
            + "are message, function_call and function_call_output.");
      }
    }
  }

  private static ChatMessage message(JsonObject item, String path) {
    Object role = item.getValue("role");
    if (!(role instanceof String r) || !ROLES.contains(r)) {
      throw invalid(path + ".role", "Invalid value for '" + path
          + ".role': expected one of user, assistant, system or developer.");
    }
    Object content = item.getValue("content");
    if (content instanceof String text) {
      return ChatMessage.of(r, text);
    }
    if (!(content instanceof JsonArray parts) || parts.isEmpty()) {
      throw invalid(path + ".content", "Invalid '" + path + ".content': expected a string or an array of parts.");
    }
    List<ContentPart> converted = new ArrayList<>(parts.size());
    for (int i = 0; i < parts.size(); i++) {
      String partPath = path + ".content[" + i + "]";
      if (!(parts.getValue(i) instanceof JsonObject part)) {
        throw invalid(partPath, "Invalid type for '" + partPath + "': expected an object.");
      }
      String type = String.valueOf(part.getValue("type"));
      switch (type) {
        case "input_text", "output_text", "text" -> converted.add(ContentPart.text(string(part, "text", partPath)));
        case "refusal" -> converted.add(ContentPart.text(string(part, "refusal", partPath)));
        case "input_image" -> {
          if (!(part.getValue("image_url") instanceof String url) || url.isEmpty()) {
            throw invalid(partPath + ".image_url", "Invalid '" + partPath
                + "': an input_image needs an 'image_url' (URL or data URL); file ids are not supported.");
          }
          Object detail = part.getValue("detail");
          converted.add(ContentPart.image(url, detail instanceof String d && !"auto".equals(d) ? d : null));
        }
        case "input_file" -> throw error("unsupported_parameter", partPath + ".type", "Invalid '" + partPath
            + "': file inputs (input_file) are not supported; send text or images.");
        default -> throw invalid(partPath + ".type", "Invalid value for '" + partPath
            + ".type': supported parts are input_text, input_image and output_text.");
      }
    }
    if (converted.stream().noneMatch(ContentPart::isImage)) {
      StringBuilder text = new StringBuilder();
      converted.forEach(part -> text.append(part.text()));
      return ChatMessage.of(r, text.toString());
    }
    return new ChatMessage(r, null, converted, null, null, null);
  }

  /** Calls join the assistant turn before them, as chat completions put text and tool calls in one message. */
  private static void functionCall(JsonObject item, String path, List<ChatMessage> messages) {
    Object arguments = item.getValue("arguments");
    ToolCall call = new ToolCall(string(item, "call_id", path), "function", string(item, "name", path),
        arguments == null ? "" : arguments instanceof String s ? s : arguments.toString());
    if (!messages.isEmpty()) {
      ChatMessage last = messages.get(messages.size() - 1);
      if (ChatMessage.ASSISTANT.equals(last.role()) && last.parts() == null) {
        List<ToolCall> calls = last.toolCalls() == null ? new ArrayList<>() : new ArrayList<>(last.toolCalls());
        calls.add(call);
        String text = last.text() == null || last.text().isEmpty() ? null : last.text();
        messages.set(messages.size() - 1, new ChatMessage(ChatMessage.ASSISTANT, text, null, null, calls, null));
        return;
      }
    }
    messages.add(new ChatMessage(ChatMessage.ASSISTANT, null, null, null, List.of(call), null));
  }

  private static String output(Object output, String path) {
    if (output instanceof String s) {
      return s;
    }
    if (output instanceof JsonArray parts) {
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < parts.size(); i++) {
        if (!(parts.getValue(i) instanceof JsonObject part) || !"input_text".equals(part.getValue("type"))
            || !(part.getValue("text") instanceof String t)) {
          throw invalid(path, "Invalid '" + path + "': the gateway passes text outputs (input_text parts) only.");
        }
        text.append(t);
      }
      return text.toString();
    }
    throw invalid(path, "Invalid '" + path + "': expected a string.");
  }

  private static JsonArray tools(Object value) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonArray array)) {
      throw invalid("tools", "Invalid type for 'tools': expected an array.");
    }
    JsonArray tools = new JsonArray();
    for (int i = 0; i < array.size(); i++) {
      String path = "tools[" + i + "]";
      if (!(array.getValue(i) instanceof JsonObject tool) || !"function".equals(tool.getValue("type"))) {
        throw invalid(path + ".type", "Invalid '" + path + "': only function tools are supported "
            + "(hosted tools such as web_search or file_search are not).");
      }
      JsonObject function = new JsonObject().put("name", string(tool, "name", path));
      if (tool.getValue("description") instanceof String description) {
        function.put("description", description);
      }
      function.put("parameters", tool.getValue("parameters") instanceof JsonObject parameters ? parameters
          : new JsonObject().put("type", "object").put("properties", new JsonObject()));
      if (tool.getValue("strict") instanceof Boolean strict) {
        function.put("strict", strict);
      }
      tools.add(new JsonObject().put("type", "function").put("function", function));
    }
    return tools.isEmpty() ? null : tools;
  }

  private static Object toolChoice(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof String s && Set.of("auto", "none", "required").contains(s)) {
      return s;
    }
    if (value instanceof JsonObject choice && "function".equals(choice.getValue("type"))
        && choice.getValue("name") instanceof String name) {
      return new JsonObject().put("type", "function").put("function", new JsonObject().put("name", name));
    }
    throw invalid("tool_choice", "Invalid 'tool_choice': expected 'auto', 'none', 'required' or "
        + "{type: 'function', name}.");
  }

  /** {@code text.format} json_schema / json_object as chat completions' {@code response_format}. */
  private static Object textFormat(Object text) {
    if (!(text instanceof JsonObject json) || !(json.getValue("format") instanceof JsonObject format)) {
      return null;
    }
    return switch (String.valueOf(format.getValue("type"))) {
      case "text" -> null;
      case "json_object" -> new JsonObject().put("type", "json_object");
      case "json_schema" -> {
        JsonObject schema = new JsonObject().put("name", format.getString("name", "response"))
            .put("schema", format.getJsonObject("schema", new JsonObject()));
        if (format.getValue("strict") instanceof Boolean strict) {
          schema.put("strict", strict);
        }
        yield new JsonObject().put("type", "json_schema").put("json_schema", schema);
      }
      default -> throw invalid("text.format.type", "Invalid 'text.format.type': expected text, json_object "
          + "or json_schema.");
    };
  }

  private static Map<String, Object> metadata(Object value) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonObject json)) {
      throw invalid("metadata", "Invalid type for 'metadata': expected an object.");
    }
    Map<String, Object> metadata = new LinkedHashMap<>();
    for (Map.Entry<String, Object> entry : json) {
      Object v = entry.getValue();
      if (!(v instanceof String || v instanceof Number || v instanceof Boolean)) {
        throw invalid("metadata." + entry.getKey(), "Invalid type for 'metadata." + entry.getKey()
            + "': expected a string.");
      }
      metadata.put(entry.getKey(), v);
    }
    return metadata;
  }

  private static String string(JsonObject json, String field, String path) {
    Object value = json.getValue(field);
    if (!(value instanceof String s) || s.isEmpty()) {
      throw error("missing_required_parameter", path + "." + field,
          "Missing required parameter: '" + path + "." + field + "'.");
    }
    return s;
  }

  private static Double number(JsonObject body, String field, double max) {
    Object value = body.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Number n) || Double.isNaN(n.doubleValue()) || n.doubleValue() < 0
        || n.doubleValue() > max) {
      throw invalid(field, "Invalid '" + field + "': expected a number between 0 and " + (int) max + ".");
    }
    return n.doubleValue();
  }

  private static Integer positiveInt(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.longValue() < 1
        || n.longValue() > Integer.MAX_VALUE) {
      throw invalid(field, "Invalid '" + field + "': expected an integer of at least 1.");
    }
    return n.intValue();
  }

  private static GatewayException invalid(String param, String message) {
    return error("invalid_value", param, message);
  }

  private static GatewayException error(String code, String param, String message) {
    return new GatewayException(GatewayError.of(ErrorKind.INVALID_REQUEST, code, param, message));
  }
}
