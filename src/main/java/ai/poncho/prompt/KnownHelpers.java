package ai.poncho.prompt;

import com.github.jknack.handlebars.Helper;
import com.github.jknack.handlebars.helper.DefaultHelperRegistry;
import java.util.Set;

/**
 * Handlebars' {@code knownHelpersOnly}: the built-ins of Handlebars itself plus Dotprompt's helpers, and
 * nothing else (no {@code log}, {@code embedded}, {@code i18n}, {@code precompile}).
 */
final class KnownHelpers extends DefaultHelperRegistry {

  private static final Set<String> BUILT_INS = Set.of("if", "unless", "each", "with", "lookup",
      "blockHelperMissing", "helperMissing");

  @Override
  public <C> Helper<C> helper(String name) {
    return BUILT_INS.contains(name) || DotpromptHelpers.NAMES.contains(name) ? super.helper(name) : null;
  }
}
