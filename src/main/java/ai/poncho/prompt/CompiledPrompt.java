package ai.poncho.prompt;

import com.github.jknack.handlebars.Template;
import java.util.List;
import java.util.Map;

/** A loaded prompt (or variant): its metadata and parsed template, bound to its engine and partial set. */
record CompiledPrompt(String name, String variant, String format, PromptMetadata metadata, Template template,
                      TemplateEngine engine) {

  static final String DOTPROMPT = "dotprompt";
  static final String PONCHO = "poncho";

  /** Renders to Dotprompt messages; {@code values} and {@code data} must be plain values. */
  List<PromptMessage> render(Map<String, Object> values, Map<String, Object> data, List<PromptMessage> history,
                             int maxChars, long deadlineNanos) {
    Markers markers = new Markers();
    String text = engine.render(template, values, data, markers, maxChars, deadlineNanos);
    return MessageAssembler.toMessages(text, markers, history);
  }
}
