package ai.poncho.prompt;

import com.github.jknack.handlebars.Template;
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
    return MessageAssembler.toMessages(text, markers, history);
  }
}
