package ai.poncho.cache;

import ai.poncho.testing.FakeUpstream;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fake OpenAI upstream whose every answer is new ("Answer 1", "Answer 2", …), in OpenAI's exact wire
 * format: a chat.completion, or for {@code stream: true} chunk events (role, content pieces or tool-call
 * fragments, finish, usage) and {@code [DONE]}. A request with tools gets a call of the first tool.
 */
final class CachingUpstream {

  static final int PROMPT_TOKENS = 11;
  static final int COMPLETION_TOKENS = 3;
  private static final String ID = "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT";

  private final AtomicInteger answers = new AtomicInteger();

  FakeUpstream.Responder responder() {
    return (upstream, request, body) -> {
      JsonObject json = new JsonObject(body);
      int n = answers.incrementAndGet();
      String model = json.getString("model");
      JsonArray tools = json.getJsonArray("tools");
      String tool = tools == null || tools.isEmpty() ? null
          : tools.getJsonObject(0).getJsonObject("function").getString("name");
      if (json.getBoolean("stream", false)) {
        HttpServerResponse response = FakeUpstream.sseHead(request);
        frames(model, n, tool).forEach(response::write);
        response.end();
      } else {
        FakeUpstream.json(200, completion(model, n, tool)).respond(upstream, request, body);
      }
    };
  }

  static String text(int n) {
    return "Answer " + n + ": the café’s 🌮 are the best in town.";
  }

  static String arguments(int n) {
    return "{\"city\":\"Quito\",\"n\":" + n + "}";
  }

  static JsonObject completion(String model, int n, String tool) {
    JsonObject message = new JsonObject().put("role", "assistant").put("refusal", null)
        .put("annotations", new JsonArray());
    if (tool == null) {
      message.put("content", text(n));
    } else {
      message.put("content", null).put("tool_calls", new JsonArray().add(new JsonObject().put("id", "call_" + n)
          .put("type", "function").put("function", new JsonObject().put("name", tool).put("arguments", arguments(n)))));
    }
    return new JsonObject().put("id", ID).put("object", "chat.completion").put("created", 1741569952)
        .put("model", model)
        .put("choices", new JsonArray().add(new JsonObject().put("index", 0).put("message", message)
            .put("logprobs", null).put("finish_reason", tool == null ? "stop" : "tool_calls")))
        .put("usage", usage()).put("service_tier", "default").put("system_fingerprint", "fp_44709d6fcb");
  }

  static List<String> frames(String model, int n, String tool) {
    List<String> frames = new ArrayList<>();
    frames.add(chunk(model, new JsonObject().put("role", "assistant").put("content", tool == null ? "" : null)
        .put("refusal", null), null));
    if (tool == null) {
      String text = text(n);
      int start = 0;
      while (start < text.length()) {
        int end = Math.min(text.length(), start + 7);
        if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
          end++;
        }
        frames.add(chunk(model, new JsonObject().put("content", text.substring(start, end)), null));
        start = end;
      }
    } else {
      String args = arguments(n);
      frames.add(chunk(model, toolDelta("call_" + n, tool, ""), null));
      frames.add(chunk(model, toolDelta(null, null, args.substring(0, 5)), null));
      frames.add(chunk(model, toolDelta(null, null, args.substring(5)), null));
    }
    frames.add(chunk(model, new JsonObject(), tool == null ? "stop" : "tool_calls"));
    frames.add("data: " + new JsonObject().put("id", ID).put("object", "chat.completion.chunk")
        .put("created", 1694268190).put("model", model).put("system_fingerprint", "fp_44709d6fcb")
        .put("choices", new JsonArray()).put("usage", usage()).encode() + "\n\n");
    frames.add("data: [DONE]\n\n");
    return frames;
  }

  private static JsonObject toolDelta(String id, String name, String arguments) {
    JsonObject call = new JsonObject().put("index", 0);
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

  static String chunk(String model, JsonObject delta, String finishReason) {
    return "data: " + new JsonObject().put("id", ID).put("object", "chat.completion.chunk").put("created", 1694268190)
        .put("model", model).put("system_fingerprint", "fp_44709d6fcb")
        .put("choices", new JsonArray().add(new JsonObject().put("index", 0).put("delta", delta)
            .put("logprobs", null).put("finish_reason", finishReason)))
        .put("usage", null).encode() + "\n\n";
  }

  static JsonObject usage() {
    return new JsonObject().put("prompt_tokens", PROMPT_TOKENS).put("completion_tokens", COMPLETION_TOKENS)
        .put("total_tokens", PROMPT_TOKENS + COMPLETION_TOKENS);
  }
}
