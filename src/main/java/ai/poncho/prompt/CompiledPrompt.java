package ai.poncho.prompt;

import com.github.jknack.handlebars.Template;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A loaded prompt (or variant): metadata, parsed template bound to its engine and partial set, request
 * settings, compiled schema checks (null when the prompt has no such schema) and the OpenAI function
 * tools its {@code tools} names.
 */
record CompiledPrompt(String name, String variant, String format, PromptMetadata metadata, Template template,
                      TemplateEngine engine, PromptSettings settings, SchemaCheck inputCheck, SchemaCheck outputCheck,
                      List<JsonObject> tools) {

  static final String DOTPROMPT = "dotprompt";
  static final String PONCHO = "poncho";

  static CompiledPrompt of(String name, String variant, String format, ParsedPrompt parsed, TemplateEngine engine,
                           List<JsonObject> tools) {
    PromptMetadata metadata = parsed.metadata();
    return new CompiledPrompt(name, variant, format, metadata, engine.compile(name, parsed.template()), engine,
        PromptSettings.from(metadata.config()),
        objectSchema(metadata.inputSchema()) ? new SchemaCheck(metadata.inputSchema()) : null,
        metadata.outputSchema() == null ? null : new SchemaCheck(metadata.outputSchema()), List.copyOf(tools));
  }

  /**
   * Only an object schema can describe the input, which is always an object of variables; a scalar one
   * (Dotprompt's {@code schema: string}) is shown in the API but has nothing it could check.
   */
  private static boolean objectSchema(JsonObject schema) {
    return schema != null && ("object".equals(schema.getValue("type"))
        || schema.getValue("type") instanceof io.vertx.core.json.JsonArray types && types.contains("object"));
  }

  /** Renders to Dotprompt messages; {@code values} and {@code data} must be plain values. */
  List<PromptMessage> render(Map<String, Object> values, Map<String, Object> data, List<PromptMessage> history,
                             int maxChars, long deadlineNanos) {
    Markers markers = new Markers();
    String text = engine.render(template, values, data, markers, maxChars, deadlineNanos);
    List<PromptMessage> messages = MessageAssembler.toMessages(text, markers, history);
    return format.equals(PONCHO) ? messages.stream().map(CompiledPrompt::trimmed).toList() : messages;
  }

  /** Poncho-format sections are trimmed, as the original did: each role tag stands on its own line. */
  private static PromptMessage trimmed(PromptMessage message) {
    if (message.original() != null) {
      return message;
    }
    List<PromptPart> parts = new ArrayList<>();
    List<PromptPart> content = message.content();
    for (int i = 0; i < content.size(); i++) {
      PromptPart part = content.get(i);
      if (part.text() == null) {
        parts.add(part);
        continue;
      }
      String text = part.text();
      text = i == 0 ? text.stripLeading() : text;
      text = i == content.size() - 1 ? text.stripTrailing() : text;
      if (!text.isEmpty()) {
        parts.add(PromptPart.text(text));
      }
    }
    return new PromptMessage(message.role(), parts, message.metadata(), null);
  }
}
