package ai.poncho.prompt;

import com.github.jknack.handlebars.Handlebars;
import com.github.jknack.handlebars.Helper;
import com.github.jknack.handlebars.Options;
import java.io.IOException;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Dotprompt's helpers: {@code role}, {@code history}, {@code media}, {@code section} leave markers that
 * become messages and parts; {@code json} prints a value as JSON; {@code ifEquals}/{@code unlessEquals}
 * compare two values strictly (5 and "5" differ).
 */
final class DotpromptHelpers {

  static final Set<String> NAMES = Set.of("role", "history", "media", "section", "json", "ifEquals", "unlessEquals");
  private static final Set<String> ROLES = Set.of("system", "user", "model", "assistant");
  private static final Pattern SECTION_NAME = Pattern.compile("[A-Za-z0-9_.-]+");

  private DotpromptHelpers() {
  }

  static void register(Handlebars handlebars) {
    handlebars.registerHelper("role", (Helper<Object>) DotpromptHelpers::role);
    handlebars.registerHelper("history", (Helper<Object>) (context, options) -> markers(options).history());
    handlebars.registerHelper("media", (Helper<Object>) DotpromptHelpers::media);
    handlebars.registerHelper("section", (Helper<Object>) DotpromptHelpers::section);
    handlebars.registerHelper("json", (Helper<Object>) DotpromptHelpers::json);
    handlebars.registerHelper("ifEquals", (Helper<Object>) (a, options) ->
        PlainValues.strictEquals(a, options.param(0, null)) ? options.fn() : options.inverse());
    handlebars.registerHelper("unlessEquals", (Helper<Object>) (a, options) ->
        PlainValues.strictEquals(a, options.param(0, null)) ? options.inverse() : options.fn());
  }

  private static Markers markers(Options options) {
    return options.data(TemplateEngine.MARKERS);
  }

  private static Object role(Object role, Options options) {
    String name = role == null ? "" : role.toString();
    if (!ROLES.contains(name)) {
      throw new TemplateFailure("role must be one of system, user, model (got '" + name + "')");
    }
    return markers(options).role("assistant".equals(name) ? PromptMessage.MODEL : name);
  }

  private static Object media(Object context, Options options) {
    Object url = options.hash("url");
    Object contentType = options.hash("contentType");
    if (url == null || url.toString().isBlank()) {
      throw new TemplateFailure("media needs a url");
    }
    String text = url.toString().trim();
    if (text.chars().anyMatch(c -> Character.isWhitespace(c) || c == '>' || c == '<')) {
      throw new TemplateFailure("media url is not a valid URL");
    }
    String type = contentType == null || contentType.toString().isBlank() ? null : contentType.toString().trim();
    if (type != null && !type.matches("[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+")) {
      throw new TemplateFailure("media contentType is not a MIME type");
    }
    return markers(options).media(text, type);
  }

  private static Object section(Object name, Options options) {
    String purpose = name == null ? "" : name.toString();
    if (!SECTION_NAME.matcher(purpose).matches()) {
      throw new TemplateFailure("section needs a name of letters, digits, '_', '-' or '.'");
    }
    return markers(options).section(purpose);
  }

  private static Object json(Object value, Options options) throws IOException {
    Object indent = options.hash("indent");
    int spaces = indent instanceof Number n ? n.intValue() : indent == null ? 0 : parse(indent.toString());
    return JsonText.write(value, Math.max(0, Math.min(10, spaces)));
  }

  private static int parse(String text) {
    try {
      return Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
