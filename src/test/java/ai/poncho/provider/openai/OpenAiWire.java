package ai.poncho.provider.openai;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** OpenAI chat-completions wire objects exactly as the API reference shows them, for fake upstreams. */
final class OpenAiWire {

  static final String DONE = "data: [DONE]\n\n";
  static final String ID = "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT";

  private OpenAiWire() {
  }

  static JsonObject completion(String model, JsonObject message, String finishReason, int prompt, int completion) {
    return new JsonObject().put("id", ID).put("object", "chat.completion").put("created", 1741569952)
        .put("model", model)
        .put("choices", new JsonArray().add(new JsonObject().put("index", 0).put("message", message.copy()
            .put("refusal", null).put("annotations", new JsonArray())).put("logprobs", null)
            .put("finish_reason", finishReason)))
        .put("usage", usage(prompt, completion))
        .put("service_tier", "default").put("system_fingerprint", "fp_44709d6fcb");
  }

  static JsonObject usage(int prompt, int completion) {
    return new JsonObject().put("prompt_tokens", prompt).put("completion_tokens", completion)
        .put("total_tokens", prompt + completion)
        .put("prompt_tokens_details", new JsonObject().put("cached_tokens", 0).put("audio_tokens", 0))
        .put("completion_tokens_details", new JsonObject().put("reasoning_tokens", 0).put("audio_tokens", 0)
            .put("accepted_prediction_tokens", 0).put("rejected_prediction_tokens", 0));
  }

  static JsonObject text(String content) {
    return new JsonObject().put("role", "assistant").put("content", content);
  }

  /** One {@code data:} frame of a chat.completion.chunk, with {@code "usage": null} as include_usage streams have. */
  static String chunk(String model, JsonObject delta, String finishReason) {
    JsonObject chunk = new JsonObject().put("id", ID).put("object", "chat.completion.chunk").put("created", 1694268190)
        .put("model", model).put("system_fingerprint", "fp_44709d6fcb")
        .put("choices", new JsonArray().add(new JsonObject().put("index", 0).put("delta", delta)
            .put("logprobs", null).put("finish_reason", finishReason)))
        .put("usage", null);
    return "data: " + chunk.encode() + "\n\n";
  }

  static String usageChunk(String model, int prompt, int completion) {
    JsonObject chunk = new JsonObject().put("id", ID).put("object", "chat.completion.chunk").put("created", 1694268190)
        .put("model", model).put("system_fingerprint", "fp_44709d6fcb").put("choices", new JsonArray())
        .put("usage", usage(prompt, completion));
    return "data: " + chunk.encode() + "\n\n";
  }

  static JsonObject toolCallDelta(int index, String id, String name, String arguments) {
    JsonObject call = new JsonObject().put("index", index);
    JsonObject function = new JsonObject();
    if (id != null) {
      call.put("id", id).put("type", "function");
    }
    if (name != null) {
      function.put("name", name);
    }
    function.put("arguments", arguments);
    return new JsonObject().put("tool_calls", new JsonArray().add(call.put("function", function)));
  }

  static JsonObject error(String message, String type, String code) {
    return new JsonObject().put("error", new JsonObject().put("message", message).put("type", type)
        .put("param", null).put("code", code));
  }
}
