package ai.poncho.chat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * One streamed piece of a completion, serialised exactly as OpenAI's {@code chat.completion.chunk}.
 * A usage-only chunk (the last one when {@code stream_options.include_usage} is set) has no choices.
 */
public record ChatChunk(String id, long created, String model, List<Choice> choices, Usage usage) {

  public record Delta(String role, String content, List<ToolCallDelta> toolCalls) {
    public Delta {
      toolCalls = toolCalls == null || toolCalls.isEmpty() ? null : List.copyOf(toolCalls);
    }

    public JsonObject toJson() {
      JsonObject json = new JsonObject();
      if (role != null) {
        json.put("role", role);
      }
      if (content != null) {
        json.put("content", content);
      }
      if (toolCalls != null) {
        JsonArray calls = new JsonArray();
        toolCalls.forEach(call -> calls.add(call.toJson()));
        json.put("tool_calls", calls);
      }
      return json;
    }

    void writeJson(StringBuilder out) {
      out.append('{');
      boolean first = true;
      if (role != null) {
        JsonOut.string(JsonOut.name(out, "role", first), role);
        first = false;
      }
      if (content != null) {
        JsonOut.string(JsonOut.name(out, "content", first), content);
        first = false;
      }
      if (toolCalls != null) {
        JsonOut.name(out, "tool_calls", first).append('[');
        for (int i = 0; i < toolCalls.size(); i++) {
          toolCalls.get(i).writeJson(i == 0 ? out : out.append(','));
        }
        out.append(']');
      }
      out.append('}');
    }

    public static Delta fromJson(JsonObject json) {
      List<ToolCallDelta> calls = null;
      JsonArray array = json.getJsonArray("tool_calls");
      if (array != null) {
        calls = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
          calls.add(ToolCallDelta.fromJson(array.getJsonObject(i)));
        }
      }
      return new Delta(json.getString("role"), json.getString("content"), calls);
    }
  }

  /** {@code stopSequence}: as in {@link ChatResponse.Choice}, on the chunk that carries the finish reason. */
  public record Choice(int index, Delta delta, String finishReason, String stopSequence) {
    public Choice(int index, Delta delta, String finishReason) {
      this(index, delta, finishReason, null);
    }
  }

  public ChatChunk {
    choices = List.copyOf(choices);
  }

  public static ChatChunk delta(String id, long created, String model, Delta delta, String finishReason) {
    return new ChatChunk(id, created, model, List.of(new Choice(0, delta, finishReason)), null);
  }

  public static ChatChunk usageOnly(String id, long created, String model, Usage usage) {
    return new ChatChunk(id, created, model, List.of(), usage);
  }

  public ChatChunk withModel(String newModel) {
    return new ChatChunk(id, created, newModel, choices, usage);
  }

  // indexed loops: these run for every chunk of a stream, and an iterator per call showed in its allocation profile
  public String stopSequence() {
    for (int i = 0; i < choices.size(); i++) {
      if (choices.get(i).stopSequence() != null) {
        return choices.get(i).stopSequence();
      }
    }
    return null;
  }

  public String finishReason() {
    for (int i = 0; i < choices.size(); i++) {
      if (choices.get(i).finishReason() != null) {
        return choices.get(i).finishReason();
      }
    }
    return null;
  }

  /**
   * OpenAI form. With {@code includeUsageField} every chunk carries {@code "usage"} (null until the
   * last), as OpenAI does when the client asked for usage.
   */
  public JsonObject toJson(boolean includeUsageField) {
    JsonArray array = new JsonArray();
    for (Choice choice : choices) {
      JsonObject json = new JsonObject().put("index", choice.index()).put("delta", choice.delta().toJson())
          .put("logprobs", null).put("finish_reason", choice.finishReason());
      array.add(choice.stopSequence() == null ? json : json.put("stop_sequence", choice.stopSequence()));
    }
    JsonObject json = new JsonObject().put("id", id).put("object", "chat.completion.chunk")
        .put("created", created).put("model", model).put("choices", array);
    if (usage != null) {
      json.put("usage", usage.toJson());
    } else if (includeUsageField) {
      json.put("usage", null);
    }
    return json;
  }

  public JsonObject toJson() {
    return toJson(false);
  }

  /** Appends exactly the text of {@code toJson(includeUsageField).encode()}, without building the tree. */
  public void writeJson(StringBuilder out, boolean includeUsageField) {
    out.append("{\"id\":");
    JsonOut.string(out, id).append(",\"object\":\"chat.completion.chunk\",\"created\":").append(created)
        .append(",\"model\":");
    JsonOut.string(out, model).append(",\"choices\":[");
    for (int i = 0; i < choices.size(); i++) {
      Choice choice = choices.get(i);
      out.append(i == 0 ? "{\"index\":" : ",{\"index\":").append(choice.index()).append(",\"delta\":");
      choice.delta().writeJson(out);
      out.append(",\"logprobs\":null,\"finish_reason\":");
      JsonOut.string(out, choice.finishReason());
      if (choice.stopSequence() != null) {
        JsonOut.string(out.append(",\"stop_sequence\":"), choice.stopSequence());
      }
      out.append('}');
    }
    out.append(']');
    if (usage != null) {
      usage.writeJson(out.append(",\"usage\":"));
    } else if (includeUsageField) {
      out.append(",\"usage\":null");
    }
    out.append('}');
  }

  /** Reads an OpenAI {@code chat.completion.chunk} (from an upstream or the clustered bus). */
  public static ChatChunk fromJson(JsonObject json) {
    List<Choice> choices = new ArrayList<>();
    JsonArray array = json.getJsonArray("choices", new JsonArray());
    for (int i = 0; i < array.size(); i++) {
      JsonObject choice = array.getJsonObject(i);
      choices.add(new Choice(choice.getInteger("index", i),
          Delta.fromJson(choice.getJsonObject("delta", new JsonObject())), choice.getString("finish_reason"),
          choice.getString("stop_sequence")));
    }
    return new ChatChunk(json.getString("id"), json.getLong("created", 0L), json.getString("model"), choices,
        Usage.fromJson(json.getJsonObject("usage")));
  }
}
