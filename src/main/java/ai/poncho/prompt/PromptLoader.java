package ai.poncho.prompt;

import ai.poncho.config.PromptsConfig;
import ai.poncho.prompt.PromptLibrary.FileStamp;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.jknack.handlebars.Template;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the prompt directory into a {@link PromptLibrary} (blocking: run it on a worker). Files are
 * {@code [folder/]name.prompt}, {@code name.variant.prompt} and {@code _partial.prompt}; the tools a prompt
 * names come from the tool directory ({@link ToolDefinitions}). A file that fails to load is reported, and
 * its last good version keeps serving. Nothing is re-read when no file's modification time or size changed.
 */
final class PromptLoader {

  /** Tool files appear among the file statuses under this prefix. */
  static final String TOOLS = "tools:";
  private static final Logger LOG = LoggerFactory.getLogger(PromptLoader.class);
  private static final String SUFFIX = ".prompt";
  private static final int MAX_DIR_DEPTH = 16;
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*");
  private static final Pattern PARTIAL_REF = Pattern.compile("\\{\\{~?\\s*#?>\\s*([^\\s}~]+)");
  private static final List<String> TOOL_SUFFIXES = List.of(".json", ".yaml", ".yml");

  private final Path dir;
  private final Path toolsDir;
  private final PromptsConfig config;
  private final Cache<TemplateEngine.TemplateKey, Template> cache;

  PromptLoader(Path dir, Path toolsDir, PromptsConfig config, Cache<TemplateEngine.TemplateKey, Template> cache) {
    this.dir = dir;
    this.toolsDir = toolsDir;
    this.config = config;
    this.cache = cache;
  }

  /** A new library when any file changed, else {@code previous} itself. */
  PromptLibrary load(PromptLibrary previous) {
    Map<String, FileStamp> stamps = scan(dir, file -> file.endsWith(SUFFIX));
    Map<String, FileStamp> toolStamps = scan(toolsDir, file -> TOOL_SUFFIXES.stream().anyMatch(file::endsWith));
    if (stamps.equals(previous.stamps()) && toolStamps.equals(previous.toolStamps())) {
      return previous;
    }
    Map<String, PromptFileStatus> statuses = new TreeMap<>();
    Map<String, JsonObject> tools = tools(toolStamps.keySet(), statuses);
    Map<String, String> sources = new LinkedHashMap<>();
    for (String file : stamps.keySet()) {
      try {
        sources.put(file, read(dir.resolve(file)));
      } catch (IOException | IllegalArgumentException e) {
        statuses.put(file, failed(file, e.getMessage(), previous));
      }
    }
    Map<String, String> partials = partials(sources, statuses, previous);
    TemplateEngine engine = new TemplateEngine(partials, fingerprint(partials), cache);
    Map<String, Map<String, CompiledPrompt>> prompts = new TreeMap<>();
    for (Map.Entry<String, String> entry : sources.entrySet()) {
      String file = entry.getKey();
      String[] id = promptId(file);
      if (id == null) {
        continue;
      }
      try {
        checkPartialDepth(entry.getValue(), partials);
        CompiledPrompt prompt = compile(id[0], id[1], entry.getValue(), engine, tools);
        put(prompts, prompt);
        statuses.put(file, new PromptFileStatus(file, PromptFileStatus.PROMPT, id[0], id[1], null, true));
      } catch (RuntimeException e) {
        statuses.put(file, failed(file, message(e), previous));
      }
    }
    keepLastGood(statuses, previous, prompts);
    return new PromptLibrary(freeze(prompts), Map.copyOf(statuses), Map.copyOf(stamps), Map.copyOf(partials),
        Map.copyOf(toolStamps));
  }

  /**
   * Tool name → OpenAI function tool, from every tool file that loads; the others get an error status
   * (and the prompts naming their tools fail to load, so those prompts' last good versions keep serving).
   */
  private Map<String, JsonObject> tools(Iterable<String> files, Map<String, PromptFileStatus> statuses) {
    Map<String, JsonObject> tools = new TreeMap<>();
    Map<String, String> definedIn = new HashMap<>();
    Picoschema picoschema = new Picoschema(Map.of());
    for (String file : files) {
      String shown = TOOLS + file;
      try {
        String name = file.substring(file.lastIndexOf('/') + 1);
        List<JsonObject> defined = ToolDefinitions.parse(name.substring(0, name.lastIndexOf('.')),
            read(toolsDir.resolve(file)), picoschema);
        for (JsonObject tool : defined) {
          String other = definedIn.get(ToolDefinitions.functionName(tool));
          if (other != null) {
            throw new IllegalArgumentException("tool '" + ToolDefinitions.functionName(tool)
                + "' is already defined in " + other);
          }
        }
        for (JsonObject tool : defined) {
          tools.put(ToolDefinitions.functionName(tool), tool);
          definedIn.put(ToolDefinitions.functionName(tool), shown);
        }
        statuses.put(shown, new PromptFileStatus(shown, PromptFileStatus.TOOL, file, null, null, true));
      } catch (IOException | RuntimeException e) {
        String error = e instanceof RuntimeException runtime ? message(runtime) : e.getMessage();
        LOG.warn("Tool file {} failed to load: {}", shown, error);
        statuses.put(shown, new PromptFileStatus(shown, PromptFileStatus.TOOL, file, null, error, false));
      }
    }
    return tools;
  }

  private static Map<String, FileStamp> scan(Path root, Predicate<String> accept) {
    Map<String, FileStamp> stamps = new TreeMap<>();
    if (!Files.isDirectory(root)) {
      return stamps;
    }
    try (Stream<Path> walk = Files.walk(root, MAX_DIR_DEPTH)) {
      walk.forEach(path -> {
        String relative = root.relativize(path).toString().replace('\\', '/');
        if (!accept.test(relative) || relative.startsWith(".") || relative.contains("/.")) {
          return;
        }
        try {
          BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
          if (attributes.isRegularFile()) {
            stamps.put(relative, new FileStamp(attributes.lastModifiedTime().toMillis(), attributes.size()));
          }
        } catch (IOException e) {
          LOG.debug("File {} vanished while scanning", relative);
        }
      });
    } catch (IOException | java.io.UncheckedIOException e) {
      LOG.warn("Could not scan the directory {}: {}", root, e.getMessage());
    }
    return stamps;
  }

  private String read(Path path) throws IOException {
    long size = Files.size(path);
    if (size > config.maxTemplateBytes()) {
      throw new IllegalArgumentException("the file is " + size + " bytes, over the limit of "
          + config.maxTemplateBytes() + " (prompts.limits.max_template_size)");
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(Files.readAllBytes(path))).toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("the file is not valid UTF-8");
    }
  }

  /** Partial sources: the new ones that parse, the last good ones for those that don't. */
  private Map<String, String> partials(Map<String, String> sources, Map<String, PromptFileStatus> statuses,
                                       PromptLibrary previous) {
    Map<String, String> partials = new TreeMap<>();
    TemplateEngine syntax = new TemplateEngine(Map.of(), "syntax-check", cache);
    for (String file : new ArrayList<>(statuses.keySet())) {
      String name = file.endsWith(SUFFIX) ? partialName(file) : null;
      if (name != null && previous.partials().containsKey(name)) {
        partials.put(name, previous.partials().get(name));
      }
    }
    for (Map.Entry<String, String> entry : sources.entrySet()) {
      String file = entry.getKey();
      String name = partialName(file);
      if (name == null) {
        continue;
      }
      try {
        syntax.compile(name, entry.getValue());
        partials.put(name, entry.getValue());
        statuses.put(file, new PromptFileStatus(file, PromptFileStatus.PARTIAL, name, null, null, true));
      } catch (IllegalArgumentException e) {
        String lastGood = previous.partials().get(name);
        if (lastGood != null) {
          partials.put(name, lastGood);
        }
        statuses.put(file, new PromptFileStatus(file, PromptFileStatus.PARTIAL, name, null, e.getMessage(),
            lastGood != null));
        LOG.warn("Prompt partial {} failed to load{}: {}", file, lastGood != null ? " (last good version serving)"
            : "", e.getMessage());
      }
    }
    return partials;
  }

  private CompiledPrompt compile(String name, String variant, String source, TemplateEngine engine,
                                 Map<String, JsonObject> tools) {
    Picoschema picoschema = new Picoschema(Map.of());
    boolean poncho = PonchoFormat.matches(source);
    ParsedPrompt parsed = poncho ? PonchoFormat.parse(source, picoschema) : DotpromptParser.parse(source, picoschema);
    return CompiledPrompt.of(name, variant, poncho ? CompiledPrompt.PONCHO : CompiledPrompt.DOTPROMPT, parsed,
        engine, resolveTools(parsed.metadata(), tools));
  }

  /** The OpenAI tools a prompt's {@code tools: [name, …]} names; an unknown name fails the prompt's load. */
  private List<JsonObject> resolveTools(PromptMetadata metadata, Map<String, JsonObject> tools) {
    if (metadata.tools() == null) {
      return List.of();
    }
    List<JsonObject> resolved = new ArrayList<>();
    for (Object entry : metadata.tools()) {
      if (!(entry instanceof String name)) {
        throw new IllegalArgumentException("tools must list tool names (got " + entry + ")");
      }
      JsonObject tool = tools.get(name);
      if (tool == null) {
        throw new IllegalArgumentException("unknown tool '" + name + "': no definition in the tool directory "
            + toolsDir + " (prompts.tools_dir)" + (tools.isEmpty() ? "" : "; defined: "
            + String.join(", ", tools.keySet())));
      }
      if (resolved.stream().noneMatch(t -> name.equals(ToolDefinitions.functionName(t)))) {
        resolved.add(tool);
      }
    }
    return List.copyOf(resolved);
  }

  /** Refuses dynamic partials, unknown partials, recursion and nesting deeper than the limit. */
  private void checkPartialDepth(String source, Map<String, String> partials) {
    int depth = depth(source, partials, new ArrayList<>());
    if (depth > config.maxPartialDepth()) {
      throw new IllegalArgumentException("partials nest " + depth + " levels deep, over the limit of "
          + config.maxPartialDepth() + " (prompts.limits.max_partial_depth)");
    }
  }

  private int depth(String source, Map<String, String> partials, List<String> stack) {
    int deepest = 0;
    Matcher m = PARTIAL_REF.matcher(KnownHelpers.withoutComments(source));
    while (m.find()) {
      String name = m.group(1);
      if (name.startsWith("(")) {
        throw new IllegalArgumentException("dynamic partials ({{> (expression)}}) are not allowed");
      }
      if (name.startsWith("@")) {
        continue;
      }
      if (stack.contains(name)) {
        throw new IllegalArgumentException("partial '" + name + "' includes itself");
      }
      String partial = partials.get(name);
      if (partial == null) {
        throw new IllegalArgumentException("partial '" + name + "' does not exist");
      }
      if (stack.size() > config.maxPartialDepth()) {
        return stack.size() + 1;
      }
      stack.add(name);
      deepest = Math.max(deepest, 1 + depth(partial, partials, stack));
      stack.remove(stack.size() - 1);
    }
    return deepest;
  }

  private PromptFileStatus failed(String file, String error, PromptLibrary previous) {
    String[] id = promptId(file);
    String partial = partialName(file);
    boolean serving = id != null ? previous.prompts().getOrDefault(id[0], Map.of())
        .containsKey(id[1] == null ? PromptLibrary.BASE : id[1]) : partial != null && previous.partials()
        .containsKey(partial);
    LOG.warn("Prompt file {} failed to load{}: {}", file, serving ? " (last good version serving)" : "", error);
    return new PromptFileStatus(file, id != null ? PromptFileStatus.PROMPT : PromptFileStatus.PARTIAL,
        id != null ? id[0] : partial == null ? file : partial, id != null ? id[1] : null, error, serving);
  }

  /** Failed prompts whose file still exists keep serving their last good version. */
  private static void keepLastGood(Map<String, PromptFileStatus> statuses, PromptLibrary previous,
                                   Map<String, Map<String, CompiledPrompt>> prompts) {
    for (PromptFileStatus status : statuses.values()) {
      if (status.error() == null || !status.serving() || !status.kind().equals(PromptFileStatus.PROMPT)) {
        continue;
      }
      String variant = status.variant() == null ? PromptLibrary.BASE : status.variant();
      CompiledPrompt lastGood = previous.prompts().getOrDefault(status.name(), Map.of()).get(variant);
      if (lastGood != null) {
        prompts.computeIfAbsent(status.name(), n -> new TreeMap<>()).put(variant, lastGood);
      }
    }
  }

  private static void put(Map<String, Map<String, CompiledPrompt>> prompts, CompiledPrompt prompt) {
    prompts.computeIfAbsent(prompt.name(), n -> new TreeMap<>())
        .put(prompt.variant() == null ? PromptLibrary.BASE : prompt.variant(), prompt);
  }

  private static Map<String, Map<String, CompiledPrompt>> freeze(Map<String, Map<String, CompiledPrompt>> prompts) {
    Map<String, Map<String, CompiledPrompt>> frozen = new HashMap<>();
    prompts.forEach((name, variants) -> frozen.put(name, Map.copyOf(variants)));
    return Map.copyOf(frozen);
  }

  /** {@code [name, variant-or-null]} of a prompt file, or null for partials and unusable names. */
  static String[] promptId(String file) {
    String base = file.substring(0, file.length() - SUFFIX.length());
    int slash = base.lastIndexOf('/');
    String folder = slash < 0 ? "" : base.substring(0, slash + 1);
    String last = base.substring(slash + 1);
    if (last.startsWith("_")) {
      return null;
    }
    int dot = last.indexOf('.');
    String name = folder + (dot < 0 ? last : last.substring(0, dot));
    String variant = dot < 0 ? null : last.substring(dot + 1);
    if (!NAME.matcher(name).matches() || (variant != null && !variant.matches("[A-Za-z0-9_-]+"))) {
      return null;
    }
    return new String[] {name, variant};
  }

  /** The partial a {@code _name.prompt} file defines ({@code folder/name}), or null. */
  static String partialName(String file) {
    String base = file.substring(0, file.length() - SUFFIX.length());
    int slash = base.lastIndexOf('/');
    String last = base.substring(slash + 1);
    if (!last.startsWith("_") || last.length() < 2) {
      return null;
    }
    return base.substring(0, slash + 1) + last.substring(1);
  }

  private static String fingerprint(Map<String, String> partials) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      partials.forEach((name, source) -> {
        digest.update(name.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        digest.update(source.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
      });
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }

  /** The failure on one line (YAML errors come with a source excerpt and a caret line). */
  private static String message(RuntimeException e) {
    String message = e.getMessage();
    if (message == null) {
      return e.getClass().getSimpleName();
    }
    StringBuilder line = new StringBuilder();
    for (String part : message.split("\\R")) {
      String trimmed = part.strip();
      if (!trimmed.isEmpty() && !trimmed.equals("^")) {
        line.append(line.isEmpty() ? "" : " ").append(trimmed);
      }
    }
    return line.toString();
  }
}
