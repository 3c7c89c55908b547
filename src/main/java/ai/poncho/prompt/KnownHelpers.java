package ai.poncho.prompt;

import com.github.jknack.handlebars.Helper;
import com.github.jknack.handlebars.helper.DefaultHelperRegistry;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Handlebars' {@code knownHelpersOnly}: the built-ins of Handlebars itself plus Dotprompt's helpers, and
 * nothing else (no {@code log}, {@code embedded}, {@code i18n}, {@code precompile}). Handlebars.java would
 * quietly render a call of an unknown helper as an empty variable, so {@link #check} refuses such calls
 * when the template is loaded.
 */
final class KnownHelpers extends DefaultHelperRegistry {

  private static final Set<String> BUILT_INS = Set.of("if", "unless", "each", "with", "lookup",
      "blockHelperMissing", "helperMissing");

  private static final Pattern COMMENT = Pattern.compile("\\{\\{!--[\\s\\S]*?--~?}}|\\{\\{!(?!--)[^}]*}}");
  /** A mustache whose first word is followed by arguments: {@code {{name arg}}}, {@code {{#name arg}}}. */
  private static final Pattern CALL = Pattern.compile(
      "(?<!\\\\)\\{\\{\\{?~?\\s*[#^]?\\s*([^\\s{}()>!/\\\\#^~*\"'=][^\\s{}()~]*)\\s+[^\\s}~]");
  private static final Pattern SUB_EXPRESSION = Pattern.compile("\\(\\s*([^\\s()\"'=]+)");

  @Override
  public <C> Helper<C> helper(String name) {
    return known(name) ? super.helper(name) : null;
  }

  /** Throws when the template calls a helper that is not known (with arguments, or as a sub-expression). */
  static void check(String template) {
    String source = withoutComments(template);
    Matcher call = CALL.matcher(source);
    while (call.find()) {
      String name = call.group(1);
      if (!name.equals("else") && !known(name)) {
        throw new IllegalArgumentException("unknown helper '" + name + "' (only if, unless, each, with, lookup and "
            + String.join(", ", DotpromptHelpers.NAMES.stream().sorted().toList()) + " are available)");
      }
    }
    Matcher sub = SUB_EXPRESSION.matcher(source);
    while (sub.find()) {
      if (insideMustache(source, sub.start()) && !known(sub.group(1))) {
        throw new IllegalArgumentException("unknown helper '" + sub.group(1) + "' in a sub-expression");
      }
    }
  }

  /** The template without Handlebars comments (which may mention helpers and partials freely). */
  static String withoutComments(String template) {
    return COMMENT.matcher(template).replaceAll("");
  }

  private static boolean known(String name) {
    return BUILT_INS.contains(name) || DotpromptHelpers.NAMES.contains(name);
  }

  private static boolean insideMustache(String source, int at) {
    int open = source.lastIndexOf("{{", at);
    int close = source.lastIndexOf("}}", at);
    return open >= 0 && open > close;
  }
}
