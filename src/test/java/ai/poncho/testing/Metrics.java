package ai.poncho.testing;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads one sample from Prometheus text exposition, as a scraper would. */
public final class Metrics {

  private Metrics() {
  }

  /** Sum of all samples of {@code name} whose labels contain every given {@code key="value"} pair. */
  public static double sum(String scrape, String name, String... labelPairs) {
    double total = 0;
    Pattern line = Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*})?\\s+(\\S+)$", Pattern.MULTILINE);
    Matcher m = line.matcher(scrape);
    while (m.find()) {
      String labels = m.group(1) == null ? "" : m.group(1);
      boolean all = true;
      for (String pair : labelPairs) {
        all &= labels.contains(pair);
      }
      if (all) {
        total += Double.parseDouble(m.group(2));
      }
    }
    return total;
  }
}
