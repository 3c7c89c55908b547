package ai.poncho.prompt;

import ai.poncho.config.PromptsConfig;
import ai.poncho.error.ErrorKind;
import ai.poncho.error.GatewayError;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Renders a prompt call (blocking and CPU-bound: run it on a worker): defaults merged under the input,
 * depth and schema checked (every violation listed), template rendered within the size and time limits,
 * media URLs checked against the allow-list, model chosen (request, prompt, configured default).
 */
final class PromptRenderer {

  private static final Pattern CONTEXT_KEY = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");

  private final PromptsConfig config;
  private final MediaPolicy media;
  private final String defaultModel;

  PromptRenderer(PromptsConfig config, String defaultModel) {
    this.config = config;
    this.media = MediaPolicy.of(config);
    this.defaultModel = defaultModel;
  }

  RenderedPrompt render(PromptLibrary library, PromptCall call) {
    CompiledPrompt prompt = library.lookup(call.name(), call.variant());
    JsonObject input = prompt.metadata().inputDefault() == null ? new JsonObject()
        : prompt.metadata().inputDefault().copy();
    input.mergeIn(call.input());
    Map<String, Object> values = plainMap(input, "input");
    for (String key : call.context().fieldNames()) {
      if (!CONTEXT_KEY.matcher(key).matches() || key.equals("root")) {
        throw PromptException.invalid("invalid_value", "context",
            "Context keys become @ variables and must be identifiers other than 'root' (got '" + key + "').");
      }
    }
    Map<String, Object> context = plainMap(call.context(), "context");
    if (prompt.inputCheck() != null) {
      checkInput(prompt.inputCheck().violations(input, "input"));
    }
    List<PromptMessage> history = call.history().stream().map(PromptMessage::fromChat).toList();
    List<PromptMessage> rendered;
    try {
      rendered = prompt.render(values, context, history, config.maxOutputChars(),
          System.nanoTime() + config.renderTimeout().toNanos());
    } catch (TemplateFailure failure) {
      if (failure.limit()) {
        throw failure.getMessage().contains("took longer") ? PromptException.timeout(
            "The prompt '" + call.name() + "' could not be rendered: " + failure.getMessage() + ".")
            : PromptException.tooLarge("The prompt '" + call.name() + "' could not be rendered: "
            + failure.getMessage() + ".");
      }
      throw PromptException.invalid("prompt_render_failed", "input",
          "The prompt '" + call.name() + "' could not be rendered: " + failure.getMessage() + ".");
    }
    checkMedia(rendered);
    String model = call.model() != null ? call.model()
        : prompt.metadata().model() != null ? prompt.metadata().model() : defaultModel;
    return new RenderedPrompt(prompt, rendered, model, call.tools());
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> plainMap(JsonObject json, String root) {
    return (Map<String, Object>) PlainValues.of(json, config.maxInputDepth(), root);
  }

  private static void checkInput(List<SchemaCheck.Violation> violations) {
    if (violations.isEmpty()) {
      return;
    }
    JsonArray details = new JsonArray();
    List<String> lines = new ArrayList<>();
    for (SchemaCheck.Violation violation : violations) {
      details.add(violation.toJson());
      lines.add(violation.describe());
    }
    String message = "The input does not match the prompt's input schema (" + violations.size() + " violation"
        + (violations.size() == 1 ? "" : "s") + "): " + String.join("; ", lines) + ".";
    throw GatewayError.of(ErrorKind.INVALID_REQUEST, "invalid_prompt_input", violations.get(0).path(), message)
        .withDetails(details).toException();
  }

  private void checkMedia(List<PromptMessage> messages) {
    for (PromptMessage message : messages) {
      if (message.original() != null) {
        continue;
      }
      for (PromptPart part : message.content()) {
        if (!part.isMedia()) {
          continue;
        }
        String refusal = media.refusal(part.mediaUrl());
        if (refusal != null) {
          String url = part.mediaUrl().length() > 100 ? part.mediaUrl().substring(0, 100) + "…" : part.mediaUrl();
          throw PromptException.invalid("media_url_not_allowed", "input",
              "The media URL '" + url + "' is not allowed: " + refusal + ".");
        }
      }
    }
  }
}
