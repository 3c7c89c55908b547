package ai.poncho.prompt;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Runs every case of the Dotprompt conformance suite (the folder named by the system property
 * {@code dotprompt.spec.dir}) through our parser, engine and message assembly. Each expected key must
 * equal ours exactly.
 */
class DotpromptConformanceTest {

  @TestFactory
  Stream<DynamicNode> conformanceSuite() throws IOException {
    String dir = System.getProperty("dotprompt.spec.dir");
    Path root = dir == null ? null : Path.of(dir);
    Assumptions.assumeTrue(root != null && Files.isDirectory(root), "no Dotprompt spec folder present");
    List<Path> files;
    try (Stream<Path> walk = Files.walk(root)) {
      files = walk.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(files).isNotEmpty();
    List<DynamicNode> nodes = new ArrayList<>();
    for (Path file : files) {
      nodes.add(DynamicContainer.dynamicContainer(root.relativize(file).toString(), suites(file)));
    }
    return nodes.stream();
  }

  private static Stream<DynamicNode> suites(Path file) throws IOException {
    Object loaded = new org.yaml.snakeyaml.Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
    JsonArray suites = (JsonArray) Yaml.toJson(loaded);
    List<DynamicNode> nodes = new ArrayList<>();
    for (int i = 0; i < suites.size(); i++) {
      JsonObject suite = suites.getJsonObject(i);
      JsonArray tests = suite.getJsonArray("tests");
      List<DynamicNode> cases = new ArrayList<>();
      for (int t = 0; t < tests.size(); t++) {
        JsonObject test = tests.getJsonObject(t);
        cases.add(DynamicTest.dynamicTest(test.getString("desc", "case " + t), () -> run(suite, test)));
      }
      nodes.add(DynamicContainer.dynamicContainer(suite.getString("name"), cases));
    }
    return nodes.stream();
  }

  private static void run(JsonObject suite, JsonObject test) {
    Map<String, String> partials = new HashMap<>();
    strings(suite.getJsonObject("partials"), partials);
    strings(suite.getJsonObject("resolverPartials"), partials);
    Map<String, JsonObject> schemas = new HashMap<>();
    objects(suite.getJsonObject("schemas"), schemas);
    objects(suite.getJsonObject("resolverSchemas"), schemas);
    TemplateEngine engine = new TemplateEngine(partials, "spec", Caffeine.newBuilder().maximumSize(100).build());

    DotpromptParser.Split split = DotpromptParser.split(suite.getString("template"));
    JsonObject front = split.frontMatter() == null ? new JsonObject() : split.frontMatter();
    JsonObject options = test.getJsonObject("options", new JsonObject());
    JsonObject merged = front.copy().mergeIn(options);
    merged.put("config", front.getJsonObject("config", new JsonObject()).copy()
        .mergeIn(options.getJsonObject("config", new JsonObject())));
    PromptMetadata metadata = PromptMetadata.from(merged, split.frontMatter(), new Picoschema(schemas));
    CompiledPrompt prompt = CompiledPrompt.of("spec", null, CompiledPrompt.DOTPROMPT,
        new ParsedPrompt(metadata, split.body()), engine);

    JsonObject data = suite.getJsonObject("data", new JsonObject()).copy()
        .mergeIn(test.getJsonObject("data", new JsonObject()));
    Map<String, Object> values = new LinkedHashMap<>();
    if (metadata.inputDefault() != null) {
      values.putAll(plain(metadata.inputDefault()));
    }
    values.putAll(plain(data.getJsonObject("input", new JsonObject())));
    List<PromptMessage> history = new ArrayList<>();
    JsonArray messages = data.getJsonArray("messages", new JsonArray());
    for (int i = 0; i < messages.size(); i++) {
      history.add(PromptMessage.fromJson(messages.getJsonObject(i)));
    }
    List<PromptMessage> rendered = prompt.render(values, plain(data.getJsonObject("context", new JsonObject())),
        history, 1_000_000, System.nanoTime() + 10_000_000_000L);

    JsonObject actual = metadata.toJson();
    JsonArray renderedJson = new JsonArray();
    rendered.forEach(m -> renderedJson.add(m.toJson()));
    actual.put("messages", renderedJson);
    JsonObject expect = test.getJsonObject("expect");
    for (String key : expect.fieldNames()) {
      assertThat(actual.getValue(key)).as(key).isEqualTo(expect.getValue(key));
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> plain(JsonObject json) {
    return (Map<String, Object>) PlainValues.of(json, 64, "input");
  }

  private static void strings(JsonObject json, Map<String, String> into) {
    if (json != null) {
      json.forEach(e -> into.put(e.getKey(), String.valueOf(e.getValue())));
    }
  }

  private static void objects(JsonObject json, Map<String, JsonObject> into) {
    if (json != null) {
      json.forEach(e -> into.put(e.getKey(), (JsonObject) e.getValue()));
    }
  }
}
