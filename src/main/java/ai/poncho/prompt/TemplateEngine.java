package ai.poncho.prompt;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.jknack.handlebars.Context;
import com.github.jknack.handlebars.EscapingStrategy;
import com.github.jknack.handlebars.Handlebars;
import com.github.jknack.handlebars.HandlebarsException;
import com.github.jknack.handlebars.Helper;
import com.github.jknack.handlebars.TagType;
import com.github.jknack.handlebars.Template;
import com.github.jknack.handlebars.cache.TemplateCache;
import com.github.jknack.handlebars.io.StringTemplateSource;
import com.github.jknack.handlebars.io.TemplateSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Handlebars.java configured for prompts: no HTML escaping (prompts are not HTML), known helpers only,
 * values read through {@link PlainValueResolver} only, partials from one immutable set, recursive partials
 * refused, parsed templates shared through a Caffeine cache.
 */
final class TemplateEngine {

  static final String MARKERS = "poncho.markers";

  private final Handlebars handlebars;

  /**
   * @param partials partial name → source, fixed for this engine
   * @param scope distinguishes this partial set in the shared cache (a parsed template refers to its engine)
   */
  TemplateEngine(Map<String, String> partials, String scope, Cache<TemplateKey, Template> cache) {
    handlebars = new Handlebars(new PartialLoader(partials))
        .with(new KnownHelpers())
        .with(EscapingStrategy.NOOP)
        .with(new CaffeineTemplates(scope, cache))
        .infiniteLoops(false)
        .prettyPrint(true);
    DotpromptHelpers.register(handlebars);
    // Handlebars.java also asks helperMissing for absent variables: those render empty, as in
    // JavaScript; only a call with arguments names a helper that does not exist.
    handlebars.registerHelperMissing((Helper<Object>) (context, options) -> {
      boolean variable = options.tagType == TagType.VAR || options.tagType == TagType.TRIPLE_VAR;
      if (variable && options.params.length == 0 && options.hash.isEmpty()) {
        return "";
      }
      throw new TemplateFailure("unknown helper '" + options.helperName + "'");
    });
  }

  /** Parses (or takes from the cache) a template; syntax errors and unknown helpers are IllegalArgumentExceptions. */
  Template compile(String name, String source) {
    KnownHelpers.check(source);
    try {
      return handlebars.compile(new StringTemplateSource(name, source));
    } catch (IOException | UncheckedIOException | HandlebarsException e) {
      throw new IllegalArgumentException(firstLine(e.getMessage()), e);
    }
  }

  /** Renders with the given values ({@code this}) and {@code @} data; stops at the size and time limits. */
  String render(Template template, Object values, Map<String, Object> data, Markers markers, int maxChars,
                long deadlineNanos) {
    Context context = Context.newBuilder(values).resolver(PlainValueResolver.INSTANCE).build();
    data.forEach(context::data);
    context.data(MARKERS, markers);
    LimitedWriter out = new LimitedWriter(maxChars, deadlineNanos);
    try {
      template.apply(context, out);
      return out.toString();
    } catch (IOException e) {
      throw new TemplateFailure(firstLine(e.getMessage()));
    } catch (RuntimeException e) {
      TemplateFailure failure = cause(e);
      throw failure != null ? failure : new TemplateFailure(firstLine(e.getMessage()));
    } finally {
      context.destroy();
    }
  }

  private static TemplateFailure cause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof TemplateFailure failure) {
        return failure;
      }
    }
    return null;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "template error";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  /** Cache key of a parsed template: the partial set it belongs to, its name and its exact source. */
  record TemplateKey(String scope, String name, String source) {
  }

  /** Handlebars' template cache on Caffeine: bounded, expiring, with hit/miss statistics. */
  private record CaffeineTemplates(String scope, Cache<TemplateKey, Template> cache) implements TemplateCache {

    @Override
    public void clear() {
      cache.invalidateAll();
    }

    @Override
    public void evict(TemplateSource source) {
      cache.invalidate(key(source));
    }

    @Override
    public Template get(TemplateSource source, com.github.jknack.handlebars.Parser parser) throws IOException {
      try {
        return cache.get(key(source), k -> {
          try {
            return parser.parse(source);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
    }

    @Override
    public TemplateCache setReload(boolean reload) {
      return this;
    }

    private TemplateKey key(TemplateSource source) {
      try {
        return new TemplateKey(scope, source.filename(), source.content(StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
