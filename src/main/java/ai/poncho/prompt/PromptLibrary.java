package ai.poncho.prompt;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One immutable, complete load of the prompt directory. Reloads build a new library and swap it in, so a
 * render always sees one consistent set of prompts and partials.
 *
 * @param prompts name → variant ("" for the base prompt) → prompt
 * @param files relative file path → how it loaded
 * @param stamps relative file path → modification time and size when read (to notice changes)
 * @param partials partial name → last good source
 * @param toolStamps tool file path (relative to the tool directory) → modification time and size when read
 */
record PromptLibrary(Map<String, Map<String, CompiledPrompt>> prompts, Map<String, PromptFileStatus> files,
                     Map<String, FileStamp> stamps, Map<String, String> partials, Map<String, FileStamp> toolStamps) {

  static final String BASE = "";

  record FileStamp(long modified, long size) {
  }

  static PromptLibrary empty() {
    return new PromptLibrary(Map.of(), Map.of(), Map.of(), Map.of(), Map.of());
  }

  /** The prompt, or its variant; a 404 when either does not exist. */
  CompiledPrompt lookup(String name, String variant) {
    Map<String, CompiledPrompt> variants = prompts.get(name);
    if (variants == null) {
      throw PromptException.notFound(name);
    }
    CompiledPrompt prompt = variants.get(variant == null ? BASE : variant);
    if (prompt == null) {
      throw PromptException.notFound(name + (variant == null ? "" : " (variant '" + variant + "')"));
    }
    return prompt;
  }

  /** Names of prompts that are served or failed to load, sorted. */
  List<String> names() {
    TreeMap<String, Boolean> names = new TreeMap<>();
    prompts.keySet().forEach(name -> names.put(name, true));
    files.values().stream().filter(status -> status.kind().equals(PromptFileStatus.PROMPT))
        .forEach(status -> names.put(status.name(), true));
    return List.copyOf(names.keySet());
  }

  List<PromptFileStatus> statusesOf(String name) {
    return files.values().stream()
        .filter(status -> status.kind().equals(PromptFileStatus.PROMPT) && status.name().equals(name)).toList();
  }

  long failing() {
    return files.values().stream().filter(status -> status.error() != null).count();
  }
}
