package ai.poncho.chat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A complete (non-streamed) chat completion, serialised exactly as OpenAI's {@code chat.completion}. */
public record ChatResponse(String id, long created, String model, List<Choice> choices, Usage usage,
                           String systemFingerprint) {

  /**
   * {@code stopSequence} names the stop sequence that ended the choice when the provider says so
   * (Anthropic does), so an Anthropic client gets its {@code stop_sequence} back.
   */
  public record Choice(int index, ChatMessage message, String finishReason, String stopSequence) {
    public Choice(int index, ChatMessage message, String finishReason) {
      this(index, message, finishReason, null);
    }
  }

  public ChatResponse {
    choices = List.copyOf(choices);
  }

  public ChatResponse withModel(String newModel) {
    return new ChatResponse(id, created, newModel, choices, usage, systemFingerprint);
  }

  public String finishReason() {
    return choices.isEmpty() ? null : choices.get(0).finishReason();
  }

  public String stopSequence() {
    return choices.isEmpty() ? null : choices.get(0).stopSequence();
  }

  public JsonObject toJson() {
    JsonArray array = new JsonArray();
    for (Choice choice : choices) {
      JsonObject message = choice.message().toJson();
      if (!message.containsKey("refusal")) {
        message.put("refusal", null);
      }
      JsonObject json = new JsonObject().put("index", choice.index()).put("message", message)
          .put("logprobs", null).put("finish_reason", choice.finishReason());
      array.add(choice.stopSequence() == null ? json : json.put("stop_sequence", choice.stopSequence()));
    }
    JsonObject json = new JsonObject().put("id", id).put("object", "chat.completion").put("created", created)
        .put("model", model).put("choices", array);
    if (usage != null) {
      json.put("usage", usage.toJson());
    }
    if (systemFingerprint != null) {
      json.put("system_fingerprint", systemFingerprint);
    }
    return json;
  }

  /**
   * The bytes of {@code toJson().toBuffer()}, written straight from the record for the usual answer (text
   * or tool calls): building the tree to encode it cost more than the answer's content. Content parts
   * take the tree.
   */
  public Buffer toBuffer() {
    StringBuilder out = new StringBuilder(256);
    if (!writeJson(out)) {
      return toJson().toBuffer();
    }
    return Buffer.buffer(escapeSurrogates(out).toString());
  }

  /** Appends the text of {@code toJson().encode()}; false (leaving {@code out} unusable) for content parts. */
  private boolean writeJson(StringBuilder out) {
    JsonOut.string(out.append("{\"id\":"), id).append(",\"object\":\"chat.completion\",\"created\":")
        .append(created);
    JsonOut.string(out.append(",\"model\":"), model).append(",\"choices\":[");
    for (int i = 0; i < choices.size(); i++) {
      Choice choice = choices.get(i);
      ChatMessage message = choice.message();
      if (message.parts() != null) {
        return false;
      }
      out.append(i == 0 ? "{\"index\":" : ",{\"index\":").append(choice.index());
      JsonOut.string(out.append(",\"message\":{\"role\":"), message.role());
      JsonOut.string(out.append(",\"content\":"), message.text());
      if (message.name() != null) {
        JsonOut.string(out.append(",\"name\":"), message.name());
      }
      if (message.toolCalls() != null) {
        out.append(",\"tool_calls\":[");
        for (int c = 0; c < message.toolCalls().size(); c++) {
          ToolCall call = message.toolCalls().get(c);
          JsonOut.string(out.append(c == 0 ? "{\"id\":" : ",{\"id\":"), call.id());
          JsonOut.string(out.append(",\"type\":"), call.type() == null ? "function" : call.type());
          JsonOut.string(out.append(",\"function\":{\"name\":"), call.name());
          JsonOut.string(out.append(",\"arguments\":"), call.arguments()).append("}}");
        }
        out.append(']');
      }
      if (message.toolCallId() != null) {
        JsonOut.string(out.append(",\"tool_call_id\":"), message.toolCallId());
      }
      JsonOut.string(out.append(",\"refusal\":null},\"logprobs\":null,\"finish_reason\":"), choice.finishReason());
      if (choice.stopSequence() != null) {
        JsonOut.string(out.append(",\"stop_sequence\":"), choice.stopSequence());
      }
      out.append('}');
    }
    out.append(']');
    if (usage != null) {
      usage.writeJson(out.append(",\"usage\":"));
    }
    if (systemFingerprint != null) {
      JsonOut.string(out.append(",\"system_fingerprint\":"), systemFingerprint);
    }
    out.append('}');
    return true;
  }

  /**
   * Jackson's UTF-8 writer escapes every UTF-16 surrogate as {@code \\uXXXX} (an emoji becomes two escapes,
   * an unpaired one is kept), where {@link String#getBytes} would write the character or a '?'. Surrogates
   * only occur inside JSON strings here, so escaping them in the finished text is the same.
   */
  private static CharSequence escapeSurrogates(StringBuilder text) {
    int i = 0;
    while (i < text.length() && !Character.isSurrogate(text.charAt(i))) {
      i++;
    }
    if (i == text.length()) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, i);
    for (; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isSurrogate(c)) {
        out.append("\\u").append(Integer.toHexString(c).toUpperCase(Locale.ROOT));
      } else {
        out.append(c);
      }
    }
    return out;
  }

  /** Reads an OpenAI {@code chat.completion} body (from an upstream or the clustered bus). */
  public static ChatResponse fromJson(JsonObject json) {
    List<Choice> choices = new ArrayList<>();
    JsonArray array = json.getJsonArray("choices", new JsonArray());
    for (int i = 0; i < array.size(); i++) {
      JsonObject choice = array.getJsonObject(i);
      JsonObject message = choice.getJsonObject("message", new JsonObject());
      choices.add(new Choice(choice.getInteger("index", i), ChatJson.message(message),
          choice.getString("finish_reason"), choice.getString("stop_sequence")));
    }
    return new ChatResponse(json.getString("id"), json.getLong("created", 0L), json.getString("model"), choices,
        Usage.fromJson(json.getJsonObject("usage")), json.getString("system_fingerprint"));
  }
}
