package ai.poncho.prompt;

import io.vertx.core.json.JsonObject;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits a Dotprompt source into YAML front matter and Handlebars body: blank lines and {@code #} comment
 * lines may precede the opening {@code ---}. Only the front matter and its two fence lines are consumed;
 * the body keeps its whitespace exactly, so a file renders as the same body without front matter would.
 */
final class DotpromptParser {

  // A fence line is "---" with trailing blanks only: the line break after the closing fence is its own, and
  // every later line (blank ones too) belongs to the body.
  private static final Pattern FRONT_MATTER = Pattern.compile(
      "^(?:(?:#[^\\n]*|[ \\t]*)\\n)*---[ \\t]*(?:\\r\\n|\\r|\\n)([\\s\\S]*?)(?:\\r\\n|\\r|\\n)---[ \\t]*"
          + "(?:\\r\\n|\\r|\\n)([\\s\\S]*)$");

  private DotpromptParser() {
  }

  /** Front matter (null when there is none) and body. */
  record Split(JsonObject frontMatter, String body) {
  }

  static Split split(String source) {
    Matcher m = FRONT_MATTER.matcher(source);
    if (!m.matches()) {
      return new Split(null, source);
    }
    String yaml = m.group(1).replace("\r\n", "\n").replace('\r', '\n');
    return new Split(Yaml.mapping(yaml), m.group(2));
  }

  static ParsedPrompt parse(String source, Picoschema picoschema) {
    Split split = split(source);
    PromptMetadata metadata = split.frontMatter() == null ? PromptMetadata.empty()
        : PromptMetadata.from(split.frontMatter(), split.frontMatter().copy(), picoschema);
    return new ParsedPrompt(metadata, split.body());
  }
}
