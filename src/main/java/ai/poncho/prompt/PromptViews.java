package ai.poncho.prompt;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/** The prompt API's JSON views of a library: summaries for the list, details for one prompt. */
final class PromptViews {

  private PromptViews() {
  }

  static JsonObject list(PromptLibrary library) {
    JsonArray data = new JsonArray();
    for (String name : library.names()) {
      data.add(summary(library, name));
    }
    return new JsonObject().put("object", "list").put("data", data);
  }

  /**
   * For readiness: how many prompts are served and the files whose last load failed (each with its
   * error, and whether a last good version still serves).
   */
  static JsonObject health(PromptLibrary library) {
    JsonArray failing = new JsonArray();
    library.files().values().stream().filter(status -> status.error() != null)
        .sorted(java.util.Comparator.comparing(PromptFileStatus::file)).forEach(status -> failing.add(status.toJson()));
    return new JsonObject().put("prompts", library.prompts().size()).put("files", library.files().size())
        .put("files_failing", failing.size()).put("failing", failing);
  }

  static JsonObject get(PromptLibrary library, String name) {
    if (!library.names().contains(name)) {
      throw PromptException.notFound(name);
    }
    JsonObject json = summary(library, name);
    CompiledPrompt base = library.prompts().getOrDefault(name, Map.of()).get(PromptLibrary.BASE);
    if (base != null) {
      details(json, base);
    }
    JsonObject variants = new JsonObject();
    library.prompts().getOrDefault(name, Map.of()).forEach((variant, prompt) -> {
      if (!variant.equals(PromptLibrary.BASE)) {
        variants.put(variant, details(new JsonObject(), prompt));
      }
    });
    if (!variants.isEmpty()) {
      json.put("variant_details", variants);
    }
    return json;
  }

  private static JsonObject summary(PromptLibrary library, String name) {
    Map<String, CompiledPrompt> variants = library.prompts().getOrDefault(name, Map.of());
    CompiledPrompt shown = variants.getOrDefault(PromptLibrary.BASE,
        variants.isEmpty() ? null : variants.values().iterator().next());
    JsonObject json = new JsonObject().put("name", name).put("object", "prompt");
    JsonArray variantNames = new JsonArray();
    variants.keySet().stream().filter(v -> !v.equals(PromptLibrary.BASE)).sorted().forEach(variantNames::add);
    json.put("variants", variantNames);
    if (shown != null) {
      PromptMetadata metadata = shown.metadata();
      json.put("version", metadata.version()).put("description", metadata.description())
          .put("model", metadata.model()).put("format", shown.format());
    }
    List<PromptFileStatus> statuses = library.statusesOf(name);
    JsonArray files = new JsonArray();
    statuses.forEach(status -> files.add(status.toJson()));
    PromptFileStatus failing = statuses.stream().filter(s -> s.error() != null).findFirst().orElse(null);
    json.put("status", failing == null ? "ok" : "error").put("serving", shown != null);
    if (failing != null) {
      json.put("error", failing.file() + ": " + failing.error());
    }
    return json.put("files", files);
  }

  private static JsonObject details(JsonObject json, CompiledPrompt prompt) {
    PromptMetadata metadata = prompt.metadata();
    JsonObject input = new JsonObject().put("schema", metadata.inputSchema());
    if (metadata.inputDefault() != null) {
      input.put("default", metadata.inputDefault());
    }
    json.put("input", input)
        .put("output", new JsonObject().put("format", metadata.outputFormat() == null ? "text"
            : metadata.outputFormat()).put("schema", metadata.outputSchema()))
        .put("config", metadata.config().copy());
    if (metadata.tools() != null) {
      JsonArray definitions = new JsonArray();
      prompt.tools().forEach(definitions::add);
      json.put("tools", metadata.tools()).put("tool_definitions", definitions);
    }
    if (metadata.metadata() != null) {
      json.put("metadata", metadata.metadata());
    }
    if (!metadata.ext().isEmpty()) {
      json.put("ext", metadata.ext());
    }
    return json;
  }
}
