package ai.poncho.provider.openai;

import ai.poncho.chat.ChatChunk;
import ai.poncho.chat.ChatRequest;
import ai.poncho.chat.ChatResponse;
import ai.poncho.chat.FinishReason;
import ai.poncho.config.ModelConfig;
import ai.poncho.config.ProviderKind;
import ai.poncho.provider.ProviderCall;
import ai.poncho.provider.http.Bodies;
import ai.poncho.provider.http.UpstreamErrors;
import ai.poncho.provider.http.WireFormat;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The OpenAI chat-completions wire format, shared by OpenAI, DeepSeek, Z.AI, Ollama, vLLM and any
 * compatible server ({@code <base_url>/chat/completions}, Bearer auth). Our canonical types already
 * are OpenAI-shaped, so translation is mostly normalisation: the upstream model name, usage always
 * requested on streams (for metering), finish reasons mapped to OpenAI's four, vendor extras such as
 * {@code reasoning_content} dropped.
 */
public final class OpenAiFormat implements WireFormat {

  @Override
  public String url(ModelConfig model) {
    return Bodies.join(model.baseUrl(), "/chat/completions");
  }

  @Override
  public Map<String, String> headers(ModelConfig model) {
    return model.apiKey() == null || model.apiKey().isBlank() ? Map.of()
        : Map.of("Authorization", "Bearer " + model.apiKey());
  }

  @Override
  public JsonObject body(ProviderCall call, boolean stream) {
    ChatRequest request = call.request();
    JsonObject body = request.withStream(false).toJson();
    body.put("model", call.model().modelName());
    // Gateway metadata (mock settings, prompt details) is not the upstream's business.
    body.remove("metadata");
    if (!call.model().provider().takesTopK()) {
      // top_k (from Anthropic clients) is taken by vLLM, Ollama and most compatible servers, refused by OpenAI.
      body.remove("top_k");
    }
    if (request.maxTokens() != null && call.model().provider() == ProviderKind.OPENAI) {
      // OpenAI's reasoning models reject max_tokens; max_completion_tokens works for all of them.
      body.remove("max_tokens");
      body.put("max_completion_tokens", request.maxTokens());
    }
    if (stream) {
      body.put("stream", true);
      body.put("stream_options", new JsonObject().put("include_usage", true));
    }
    return Bodies.withDefaults(body, call.model().customParams());
  }

  @Override
  public ChatResponse response(ProviderCall call, JsonObject body) {
    if (body.getValue("choices") == null) {
      throw UpstreamErrors.malformed(call.model(), "no choices in the completion");
    }
    return normalised(call, ChatResponse.fromJson(body));
  }

  /** Reads the usual body without a tree ({@link CompletionReader}); any other through the tree, as before. */
  @Override
  public ChatResponse response(ProviderCall call, Buffer body) {
    ChatResponse read = CompletionReader.read(body);
    return read != null ? normalised(call, read) : response(call, new JsonObject(body));
  }

  private static ChatResponse normalised(ProviderCall call, ChatResponse response) {
    List<ChatResponse.Choice> choices = new ArrayList<>();
    response.choices().forEach(choice -> choices.add(new ChatResponse.Choice(choice.index(), choice.message(),
        finishReason(choice.finishReason()))));
    return new ChatResponse(response.id(), response.created() == 0 ? System.currentTimeMillis() / 1000
        : response.created(), call.request().model(), choices, response.usage(), response.systemFingerprint());
  }

  @Override
  public StreamTranslator translator(ProviderCall call) {
    return new Translator(call.model());
  }

  /** OpenAI's finish reasons pass; vendor-specific ones become the nearest of the four. */
  static String finishReason(String upstream) {
    if (upstream == null) {
      return null;
    }
    return switch (upstream) {
      case FinishReason.STOP, FinishReason.LENGTH, FinishReason.TOOL_CALLS, FinishReason.CONTENT_FILTER -> upstream;
      case "function_call" -> FinishReason.TOOL_CALLS;
      case "sensitive" -> FinishReason.CONTENT_FILTER;
      case "model_context_window_exceeded", "max_tokens" -> FinishReason.LENGTH;
      default -> FinishReason.STOP;
    };
  }

  private static final class Translator implements StreamTranslator {

    private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);

    private final ModelConfig model;
    private boolean done;

    Translator(ModelConfig model) {
      this.model = model;
    }

    @Override
    public List<ChatChunk> onEvent(String event, String data) {
      byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
      return onEvent(event, bytes, 0, bytes.length);
    }

    /** Reads the event's bytes as they came: the event is never decoded as a whole. */
    @Override
    public List<ChatChunk> onEvent(String event, byte[] data, int from, int to) {
      if (isDone(data, from, to)) {
        done = true;
        return List.of();
      }
      ChatChunk chunk;
      try {
        chunk = ChunkReader.read(data, from, to);
      } catch (ChunkReader.Malformed e) {
        throw UpstreamErrors.malformed(model, e.getMessage());
      }
      if (chunk == null) {
        JsonObject json;
        try {
          json = new JsonObject(new String(data, from, to - from, StandardCharsets.UTF_8));
        } catch (DecodeException e) {
          throw UpstreamErrors.malformed(model, "an event is not JSON");
        }
        throw UpstreamErrors.streamError(model, json);
      }
      List<ChatChunk.Choice> choices = new ArrayList<>(chunk.choices().size());
      boolean unchanged = chunk.created() != 0;
      for (int i = 0; i < chunk.choices().size(); i++) {
        ChatChunk.Choice choice = chunk.choices().get(i);
        ChatChunk.Delta delta = choice.delta();
        boolean empty = delta.role() == null && delta.content() == null && delta.toolCalls() == null;
        if (!empty || choice.finishReason() != null) {
          String finishReason = finishReason(choice.finishReason());
          unchanged &= choice.stopSequence() == null && Objects.equals(finishReason, choice.finishReason());
          choices.add(new ChatChunk.Choice(choice.index(), delta, finishReason));
        } else {
          unchanged = false;
        }
      }
      if (choices.isEmpty() && chunk.usage() == null) {
        // e.g. a reasoning_content-only delta: a vendor extra the client did not ask for
        return List.of();
      }
      if (unchanged) {
        // the common event: nothing to normalise, so the chunk as read is the answer
        return List.of(chunk);
      }
      return List.of(new ChatChunk(chunk.id(), chunk.created() == 0 ? System.currentTimeMillis() / 1000
          : chunk.created(), chunk.model(), choices, chunk.usage()));
    }

    /** {@code [DONE]}, with white space around it as {@link String#trim()} allows. */
    private static boolean isDone(byte[] data, int from, int to) {
      while (from < to && (data[from] & 0xFF) <= ' ') {
        from++;
      }
      while (to > from && (data[to - 1] & 0xFF) <= ' ') {
        to--;
      }
      return Arrays.equals(data, from, to, DONE, 0, DONE.length);
    }

    @Override
    public boolean done() {
      return done;
    }
  }
}
