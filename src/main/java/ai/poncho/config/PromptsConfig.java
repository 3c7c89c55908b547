package ai.poncho.config;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Prompt execution: {@code prompts.*}. Where the prompt and tool files live, how often they are re-read,
 * the parsed template cache, the render limits and which media URLs a rendered prompt may carry.
 */
public record PromptsConfig(String dir, String toolsDir, Duration reloadInterval, int cacheSize, Duration cacheTtl,
                            long maxTemplateBytes, Duration renderTimeout, int maxOutputChars, int maxPartialDepth,
                            int maxInputDepth, List<String> mediaSchemes, List<String> mediaDataTypes,
                            boolean mediaAllowPrivateHosts) {

  static PromptsConfig from(ConfigReader reader) {
    ConfigReader cache = reader.section("cache");
    ConfigReader limits = reader.section("limits");
    ConfigReader media = reader.section("media");
    List<String> schemes = media.has("schemes") ? lower(media.strings("schemes")) : List.of("https", "data");
    for (String scheme : schemes) {
      if (!List.of("https", "http", "data").contains(scheme)) {
        media.problem("schemes", "may only contain https, http and data (got '" + scheme + "')");
      }
    }
    Duration reload = reader.duration("reload_interval", Duration.ofSeconds(2));
    if (!reload.isZero() && reload.toMillis() < 100) {
      reader.problem("reload_interval", "must be 0 (off) or at least 100ms");
    }
    return new PromptsConfig(reader.string("dir", "conf/prompts"), reader.string("tools_dir", "conf/tools"), reload,
        cache.integer("max_size", 1000, 1, 1_000_000), cache.duration("ttl", Duration.ofHours(1)),
        limits.bytes("max_template_size", 256L * 1024),
        limits.duration("render_timeout", Duration.ofSeconds(2)),
        limits.integer("max_output_chars", 1_000_000, 1, 100_000_000),
        limits.integer("max_partial_depth", 8, 1, 64),
        limits.integer("max_input_depth", 32, 1, 256),
        schemes,
        media.has("data_types") ? lower(media.strings("data_types")) : List.of("image/*", "audio/*"),
        media.bool("allow_private_hosts", false));
  }

  private static List<String> lower(List<String> values) {
    return values.stream().map(v -> v.trim().toLowerCase(Locale.ROOT)).toList();
  }
}
