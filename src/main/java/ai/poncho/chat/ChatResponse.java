package ai.poncho.chat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

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
