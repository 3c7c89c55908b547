package ai.poncho.api;

import ai.poncho.testing.FakeUpstream;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Fake upstreams that answer any request in their vendor's exact wire format, derived from the request
 * (so client SDK scripts can run whole conversations against them): the reply names the last message's
 * text and the images it saw; a forced tool choice calls the first tool with {"query": last text}.
 */
final class VendorFakes {

  private VendorFakes() {
  }

  /** OpenAI chat completions (JSON and SSE) and embeddings. */
  static void openAi(FakeUpstream upstream, HttpServerRequest request, Buffer raw) {
    JsonObject body = new JsonObject(raw);
    if (request.path().endsWith("/embeddings")) {
      JsonArray input = body.getValue("input") instanceof JsonArray a ? a : new JsonArray().add(body.getValue("input"));
      int dimensions = body.getInteger("dimensions", 3);
      JsonArray data = new JsonArray();
      for (int i = 0; i < input.size(); i++) {
        JsonArray vector = new JsonArray();
        for (int d = 0; d < dimensions; d++) {
          vector.add(d == 0 ? i + 0.5 : 0.25);
        }
        data.add(new JsonObject().put("object", "embedding").put("index", i).put("embedding", vector));
      }
      json(request, new JsonObject().put("object", "list").put("data", data).put("model", body.getString("model"))
          .put("usage", new JsonObject().put("prompt_tokens", 7).put("total_tokens", 7)));
      return;
    }
    JsonArray messages = body.getJsonArray("messages");
    JsonObject last = messages.getJsonObject(messages.size() - 1);
    String text = "OpenAI fake: " + text(last.getValue("content")) + images(last.getValue("content"));
    String tool = forcedOpenAiTool(body);
    String id = "chatcmpl-fake";
    String arguments = new JsonObject().put("query", text(last.getValue("content"))).encode();
    if (!body.getBoolean("stream", false)) {
      JsonObject message = new JsonObject().put("role", "assistant");
      if (tool != null) {
        message.put("content", null).put("tool_calls", new JsonArray().add(new JsonObject().put("id", "call_fake1")
            .put("type", "function").put("function", new JsonObject().put("name", tool).put("arguments", arguments))));
      } else {
        message.put("content", text);
      }
      json(request, new JsonObject().put("id", id).put("object", "chat.completion").put("created", 1700000000)
          .put("model", body.getString("model")).put("choices", new JsonArray().add(new JsonObject().put("index", 0)
              .put("message", message).put("finish_reason", tool != null ? "tool_calls" : "stop")))
          .put("usage", new JsonObject().put("prompt_tokens", 11).put("completion_tokens", 4).put("total_tokens", 15)));
      return;
    }
    List<JsonObject> deltas = new ArrayList<>();
    deltas.add(new JsonObject().put("role", "assistant").put("content", ""));
    if (tool != null) {
      deltas.add(new JsonObject().put("tool_calls", new JsonArray().add(new JsonObject().put("index", 0)
          .put("id", "call_fake1").put("type", "function")
          .put("function", new JsonObject().put("name", tool).put("arguments", "")))));
      for (String piece : pieces(arguments, 5)) {
        deltas.add(new JsonObject().put("tool_calls", new JsonArray().add(new JsonObject().put("index", 0)
            .put("function", new JsonObject().put("arguments", piece)))));
      }
    } else {
      for (String piece : pieces(text, 6)) {
        deltas.add(new JsonObject().put("content", piece));
      }
    }
    HttpServerResponse response = FakeUpstream.sseHead(request);
    for (JsonObject delta : deltas) {
      response.write("data: " + chunk(id, body, delta, null).encode() + "\n\n");
    }
    response.write("data: " + chunk(id, body, new JsonObject(), tool != null ? "tool_calls" : "stop").encode() + "\n\n");
    response.write("data: " + new JsonObject().put("id", id).put("object", "chat.completion.chunk")
        .put("created", 1700000000).put("model", body.getString("model")).put("choices", new JsonArray())
        .put("usage", new JsonObject().put("prompt_tokens", 11).put("completion_tokens", 4).put("total_tokens", 15))
        .encode() + "\n\n");
    response.end("data: [DONE]\n\n");
  }

  /** Anthropic Messages (JSON and SSE). */
  static void anthropic(FakeUpstream upstream, HttpServerRequest request, Buffer raw) {
    JsonObject body = new JsonObject(raw);
    JsonArray messages = body.getJsonArray("messages");
    JsonObject last = messages.getJsonObject(messages.size() - 1);
    String lastText = text(last.getValue("content"));
    String text = "Anthropic fake: " + lastText + images(last.getValue("content"));
    JsonObject choice = body.getJsonObject("tool_choice");
    String tool = choice == null || body.getJsonArray("tools") == null ? null
        : "tool".equals(choice.getString("type")) ? choice.getString("name")
        : "any".equals(choice.getString("type")) ? body.getJsonArray("tools").getJsonObject(0).getString("name") : null;
    JsonObject input = new JsonObject().put("query", lastText);
    String id = "msg_01FakeAnthropicUpstream";
    if (!body.getBoolean("stream", false)) {
      JsonArray content = new JsonArray();
      if (tool != null) {
        content.add(new JsonObject().put("type", "tool_use").put("id", "toolu_01FakeToolUse").put("name", tool)
            .put("input", input));
      } else {
        content.add(new JsonObject().put("type", "text").put("text", text));
      }
      json(request, new JsonObject().put("id", id).put("type", "message").put("role", "assistant")
          .put("model", body.getString("model")).put("content", content)
          .put("stop_reason", tool != null ? "tool_use" : "end_turn").put("stop_sequence", null)
          .put("usage", new JsonObject().put("input_tokens", 21).put("output_tokens", 6)));
      return;
    }
    HttpServerResponse response = FakeUpstream.sseHead(request);
    response.write(event("message_start", new JsonObject().put("message", new JsonObject().put("id", id)
        .put("type", "message").put("role", "assistant").put("model", body.getString("model"))
        .put("content", new JsonArray()).put("stop_reason", null).put("stop_sequence", null)
        .put("usage", new JsonObject().put("input_tokens", 21).put("output_tokens", 1)))));
    response.write(event("ping", new JsonObject()));
    if (tool != null) {
      response.write(event("content_block_start", new JsonObject().put("index", 0).put("content_block",
          new JsonObject().put("type", "tool_use").put("id", "toolu_01FakeToolUse").put("name", tool)
              .put("input", new JsonObject()))));
      for (String piece : pieces(input.encode(), 5)) {
        response.write(event("content_block_delta", new JsonObject().put("index", 0).put("delta",
            new JsonObject().put("type", "input_json_delta").put("partial_json", piece))));
      }
    } else {
      response.write(event("content_block_start", new JsonObject().put("index", 0).put("content_block",
          new JsonObject().put("type", "text").put("text", ""))));
      for (String piece : pieces(text, 6)) {
        response.write(event("content_block_delta", new JsonObject().put("index", 0).put("delta",
            new JsonObject().put("type", "text_delta").put("text", piece))));
      }
    }
    response.write(event("content_block_stop", new JsonObject().put("index", 0)));
    response.write(event("message_delta", new JsonObject().put("delta", new JsonObject()
        .put("stop_reason", tool != null ? "tool_use" : "end_turn").put("stop_sequence", null))
        .put("usage", new JsonObject().put("output_tokens", 6))));
    response.end(event("message_stop", new JsonObject()));
  }

  private static String forcedOpenAiTool(JsonObject body) {
    JsonArray tools = body.getJsonArray("tools");
    Object choice = body.getValue("tool_choice");
    if (tools == null || tools.isEmpty()) {
      return null;
    }
    if ("required".equals(choice)) {
      return tools.getJsonObject(0).getJsonObject("function").getString("name");
    }
    if (choice instanceof JsonObject named) {
      return named.getJsonObject("function").getString("name");
    }
    return null;
  }

  private static JsonObject chunk(String id, JsonObject body, JsonObject delta, String finish) {
    return new JsonObject().put("id", id).put("object", "chat.completion.chunk").put("created", 1700000000)
        .put("model", body.getString("model")).put("choices", new JsonArray().add(new JsonObject().put("index", 0)
            .put("delta", delta).put("finish_reason", finish)));
  }

  /** The text of OpenAI or Anthropic content: a string, or the text of its parts/blocks (tool results too). */
  private static String text(Object content) {
    if (content instanceof String s) {
      return s;
    }
    StringBuilder sb = new StringBuilder();
    if (content instanceof JsonArray parts) {
      for (Object item : parts) {
        JsonObject part = (JsonObject) item;
        if (part.getValue("text") instanceof String t) {
          sb.append(t);
        } else if ("tool_result".equals(part.getString("type"))) {
          sb.append(text(part.getValue("content")));
        }
      }
    }
    return sb.toString();
  }

  private static String images(Object content) {
    if (!(content instanceof JsonArray parts)) {
      return "";
    }
    long count = parts.stream().map(JsonObject.class::cast)
        .filter(part -> "image".equals(part.getString("type")) || "image_url".equals(part.getString("type"))).count();
    return count == 0 ? "" : " (" + count + " images)";
  }

  private static List<String> pieces(String text, int size) {
    List<String> pieces = new ArrayList<>();
    for (int i = 0; i < text.length(); i += size) {
      pieces.add(text.substring(i, Math.min(text.length(), i + size)));
    }
    return pieces;
  }

  private static String event(String type, JsonObject data) {
    return "event: " + type + "\ndata: " + data.put("type", type).encode() + "\n\n";
  }

  private static void json(HttpServerRequest request, JsonObject body) {
    request.response().putHeader("content-type", "application/json").end(body.toBuffer());
  }
}
