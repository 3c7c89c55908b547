package ai.poncho.security;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A key's model allow-list: glob patterns ({@code *} any run of characters, {@code ?} one character)
 * matched against the whole model name, e.g. {@code deepseek-*} or {@code prompt:fashion/*} for prompts.
 * An empty list allows every model.
 */
public final class ModelPatterns {

  public static final ModelPatterns ALL = new ModelPatterns(List.of());

  private final List<String> globs;
  private final List<Pattern> patterns;

  private ModelPatterns(List<String> globs) {
    this.globs = List.copyOf(globs);
    this.patterns = this.globs.stream().map(ModelPatterns::compile).toList();
  }

  public static ModelPatterns of(List<String> globs) {
    return globs == null || globs.isEmpty() ? ALL : new ModelPatterns(globs);
  }

  public List<String> globs() {
    return globs;
  }

  public boolean allowsAll() {
    return patterns.isEmpty();
  }

  public boolean allows(String model) {
    if (patterns.isEmpty()) {
      return true;
    }
    if (model == null) {
      return false;
    }
    for (Pattern pattern : patterns) {
      if (pattern.matcher(model).matches()) {
        return true;
      }
    }
    return false;
  }

  private static Pattern compile(String glob) {
    StringBuilder regex = new StringBuilder();
    StringBuilder literal = new StringBuilder();
    for (char c : glob.toCharArray()) {
      if (c == '*' || c == '?') {
        if (!literal.isEmpty()) {
          regex.append(Pattern.quote(literal.toString()));
          literal.setLength(0);
        }
        regex.append(c == '*' ? ".*" : ".");
      } else {
        literal.append(c);
      }
    }
    if (!literal.isEmpty()) {
      regex.append(Pattern.quote(literal.toString()));
    }
    return Pattern.compile(regex.toString(), Pattern.DOTALL);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ModelPatterns that && that.globs.equals(globs);
  }

  @Override
  public int hashCode() {
    return globs.hashCode();
  }

  @Override
  public String toString() {
    return globs.toString();
  }
}
