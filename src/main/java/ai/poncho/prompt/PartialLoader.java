package ai.poncho.prompt;

import com.github.jknack.handlebars.io.AbstractTemplateLoader;
import com.github.jknack.handlebars.io.StringTemplateSource;
import com.github.jknack.handlebars.io.TemplateSource;
import java.io.FileNotFoundException;
import java.util.Map;

/** Serves partials from an in-memory set only: a template can never make Handlebars read a file. */
final class PartialLoader extends AbstractTemplateLoader {

  private final Map<String, String> partials;

  PartialLoader(Map<String, String> partials) {
    this.partials = Map.copyOf(partials);
  }

  @Override
  public TemplateSource sourceAt(String location) throws FileNotFoundException {
    String source = partials.get(location);
    if (source == null) {
      throw new FileNotFoundException("partial '" + location + "' does not exist");
    }
    return new StringTemplateSource(location, source);
  }

  /** Partial names are the keys of the set as they are: no prefix, suffix or path normalisation. */
  @Override
  public String resolve(String location) {
    return location;
  }
}
