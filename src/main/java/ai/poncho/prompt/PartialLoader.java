package ai.poncho.prompt;

import com.github.jknack.handlebars.io.StringTemplateSource;
import com.github.jknack.handlebars.io.TemplateLoader;
import com.github.jknack.handlebars.io.TemplateSource;
import java.io.FileNotFoundException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Serves partials from an in-memory set only: a template can never make Handlebars read a file. */
final class PartialLoader implements TemplateLoader {

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

  @Override
  public String resolve(String location) {
    return location;
  }

  @Override
  public String getPrefix() {
    return "";
  }

  @Override
  public String getSuffix() {
    return "";
  }

  @Override
  public void setPrefix(String prefix) {
    throw new UnsupportedOperationException("partials have no prefix");
  }

  @Override
  public void setSuffix(String suffix) {
    throw new UnsupportedOperationException("partials have no suffix");
  }

  @Override
  public void setCharset(Charset charset) {
    throw new UnsupportedOperationException("partials are strings");
  }

  @Override
  public Charset getCharset() {
    return StandardCharsets.UTF_8;
  }
}
