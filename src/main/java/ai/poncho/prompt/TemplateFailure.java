package ai.poncho.prompt;

/** A template could not be rendered with the given values (bad helper argument, unknown helper, limit). */
final class TemplateFailure extends RuntimeException {

  private final boolean limit;

  TemplateFailure(String message) {
    this(message, false);
  }

  TemplateFailure(String message, boolean limit) {
    super(message, null, false, false);
    this.limit = limit;
  }

  /** Whether a size or time limit stopped the render. */
  boolean limit() {
    return limit;
  }
}
