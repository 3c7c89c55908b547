package ai.poncho.prompt;

import io.vertx.core.json.JsonObject;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The original Poncho prompt format: sections opened by {@code {{role "config"}}} (YAML with
 * {@code model} and {@code config}: temperature, max_tokens or maxOutputTokens, …), {@code {{role "system"}}}
 * and {@code {{role "user"}}}. The config section becomes front matter; the rest is a Dotprompt body, so
 * {@code {{media url=var}}} there is rendered with the variable's real value.
 */
final class PonchoFormat {

  private static final Pattern CONFIG_ROLE = Pattern.compile("\\A\\s*\\{\\{~?\\s*role\\s+([\"'])config\\1\\s*~?}}");
  private static final Pattern NEXT_ROLE = Pattern.compile("\\{\\{~?\\s*role\\s+[\"'][a-z]+[\"']\\s*~?}}");

  private PonchoFormat() {
  }

  static boolean matches(String source) {
    return CONFIG_ROLE.matcher(source).find();
  }

  static ParsedPrompt parse(String source, Picoschema picoschema) {
    Matcher config = CONFIG_ROLE.matcher(source);
    if (!config.find()) {
      throw new IllegalArgumentException("a Poncho-format prompt starts with {{role \"config\"}}");
    }
    Matcher next = NEXT_ROLE.matcher(source);
    int bodyStart = next.find(config.end()) ? next.start() : source.length();
    JsonObject front = Yaml.mapping(source.substring(config.end(), bodyStart));
    JsonObject settings = front.getValue("config") instanceof JsonObject c ? c : new JsonObject();
    if (settings.containsKey("max_tokens") && !settings.containsKey("maxOutputTokens")) {
      settings.put("maxOutputTokens", settings.remove("max_tokens"));
    }
    if (front.containsKey("config") || !settings.isEmpty()) {
      front.put("config", settings);
    }
    return new ParsedPrompt(PromptMetadata.from(front, front.copy(), picoschema),
        source.substring(bodyStart).trim());
  }
}
