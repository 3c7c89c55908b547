package ai.poncho.prompt;

import com.github.jknack.handlebars.Template;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A loaded prompt (or variant): metadata, parsed template bound to its engine and partial set, request
 * settings and compiled schema checks (null when the prompt has no such schema).
 */
record CompiledPrompt(String name, String variant, String format, PromptMetadata metadata, Template template,
                      TemplateEngine engine, PromptSettings settings, SchemaCheck inputCheck, SchemaCheck outputCheck) {

  static final String DOTPROMPT = "dotprompt";
  static final String PONCHO = "poncho";

  static CompiledPrompt of(String name, String variant, String format, ParsedPrompt parsed, TemplateEngine engine) {
    PromptMetadata metadata = parsed.metadata();
    return new CompiledPrompt(name, variant, format, metadata, engine.compile(name, parsed.template()), engine,
        PromptSettings.from(metadata.config()),
        metadata.inputSchema() == null ? null : new SchemaCheck(metadata.inputSchema()),
        metadata.outputSchema() == null ? null : new SchemaCheck(metadata.outputSchema()));
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
