package ai.poncho.prompt;

import static org.assertj.core.api.Assertions.assertThat;

import ai.poncho.config.PonchoConfig;
import ai.poncho.config.PromptsConfig;
import ai.poncho.testing.TestServer;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading a prompt folder: names, variants, partials and the guards on partials, last good versions. */
class PromptLoaderTest {

  @TempDir
  Path dir;
  private int tick;

  private PromptLoader loader(int maxPartialDepth) {
    JsonObject json = TestServer.config().put("prompts", new JsonObject().put("dir", dir.toString())
        .put("limits", new JsonObject().put("max_partial_depth", maxPartialDepth).put("max_template_size", 200)));
    PromptsConfig config = PonchoConfig.from(json).prompts();
    return new PromptLoader(dir, dir.resolve("tools"), config, Caffeine.newBuilder().maximumSize(100).build());
  }

  private void write(String file, String content) throws IOException {
    Path path = dir.resolve(file);
    Files.createDirectories(path.getParent());
    Files.writeString(path, content);
    Files.setLastModifiedTime(path, FileTime.from(Instant.now().plusSeconds(++tick)));
  }

  private static String error(PromptLibrary library, String file) {
    return library.files().get(file).error();
  }

  @Test
  void namesComeFromFoldersVariantsAndPartials() throws IOException {
    write("a/b/story.prompt", "{{> a/b/intro}} story");
    write("a/b/story.short.prompt", "short");
    write("a/b/_intro.prompt", "Once");
    PromptLibrary library = loader(8).load(PromptLibrary.empty());
    assertThat(library.prompts().keySet()).containsExactly("a/b/story");
    assertThat(library.prompts().get("a/b/story").keySet()).containsExactlyInAnyOrder("", "short");
    assertThat(library.files().get("a/b/_intro.prompt").kind()).isEqualTo(PromptFileStatus.PARTIAL);
    List<PromptMessage> messages = library.lookup("a/b/story", null).render(Map.of(), Map.of(), List.of(), 1000,
        System.nanoTime() + 5_000_000_000L);
    assertThat(messages.get(0).content().get(0).text()).isEqualTo("Once story");
  }

  @Test
  void toolsResolveFromTheToolDirectoryAndReloadWithIt() throws IOException {
    write("tools/lookup.yaml", "- name: find\n  description: Finds\n  inputSchema: {q: string}\n"
        + "- {type: function, function: {name: fetch, parameters: {type: object, properties: {}}}}\n");
    write("tools/bad.json", "{\"name\": \"has space\"}");
    write("uses.prompt", "---\ntools: [find, fetch]\n---\nHi");
    PromptLoader loader = loader(8);
    PromptLibrary first = loader.load(PromptLibrary.empty());
    assertThat(first.lookup("uses", null).tools()).extracting(ToolDefinitions::functionName)
        .containsExactly("find", "fetch");
    assertThat(error(first, PromptLoader.TOOLS + "bad.json")).contains("needs a name", "has space");
    assertThat(first.files().get(PromptLoader.TOOLS + "lookup.yaml").error()).isNull();

    write("tools/lookup.yaml", "name: find\ninputSchema: {q: string}\n");
    PromptLibrary second = loader.load(first);
    assertThat(error(second, "uses.prompt")).contains("unknown tool 'fetch'");
    assertThat(second.lookup("uses", null)).as("the last good version keeps serving")
        .isSameAs(first.lookup("uses", null));
    assertThat(loader.load(second)).as("nothing changed, nothing re-read").isSameAs(second);
  }

  @Test
  void theShippedToolsLoad() throws IOException {
    write("weather.prompt", "---\ntools: [get_weather]\n---\nWeather?");
    PromptsConfig config = PonchoConfig.from(TestServer.config()).prompts();
    PromptLibrary library = new PromptLoader(dir, Path.of("conf/tools"), config,
        Caffeine.newBuilder().maximumSize(10).build()).load(PromptLibrary.empty());
    assertThat(library.failing()).isZero();
    assertThat(library.lookup("weather", null).tools().get(0).getJsonObject("function")
        .getJsonObject("parameters").getJsonObject("properties").fieldNames()).containsExactly("city", "unit");
  }

  @Test
  void recursiveDynamicMissingAndDeepPartialsAreRefused() throws IOException {
    write("_loop1.prompt", "{{> loop2}}");
    write("_loop2.prompt", "{{> loop1}}");
    write("_d1.prompt", "{{> d2}}");
    write("_d2.prompt", "{{> d3}}");
    write("_d3.prompt", "end");
    write("loop.prompt", "{{> loop1}}");
    write("dynamic.prompt", "{{> (lookup this 'p')}}");
    write("missing.prompt", "{{> nothing}}");
    write("deep.prompt", "{{> d1}}");
    write("big.prompt", "x".repeat(300));
    PromptLibrary library = loader(2).load(PromptLibrary.empty());
    assertThat(error(library, "loop.prompt")).contains("includes itself");
    assertThat(error(library, "dynamic.prompt")).contains("dynamic partials");
    assertThat(error(library, "missing.prompt")).contains("does not exist");
    assertThat(error(library, "deep.prompt")).contains("over the limit of 2");
    assertThat(error(library, "big.prompt")).contains("max_template_size");
    assertThat(library.prompts()).isEmpty();
  }

  @Test
  void aBrokenFileKeepsItsLastGoodVersionAndUnchangedFoldersAreNotReread() throws IOException {
    PromptLoader loader = loader(8);
    write("p.prompt", "good {{x}}");
    write("_part.prompt", "part one");
    write("q.prompt", "{{> part}}");
    PromptLibrary first = loader.load(PromptLibrary.empty());
    assertThat(loader.load(first)).isSameAs(first);
    write("p.prompt", "{{#if}}broken");
    write("_part.prompt", "{{#each}}");
    PromptLibrary second = loader.load(first);
    assertThat(error(second, "p.prompt")).isNotBlank();
    assertThat(second.files().get("p.prompt").serving()).isTrue();
    assertThat(second.lookup("p", null)).isSameAs(first.lookup("p", null));
    assertThat(error(second, "_part.prompt")).isNotBlank();
    assertThat(second.partials().get("part")).isEqualTo("part one");
    assertThat(second.failing()).isEqualTo(2);
    Files.delete(dir.resolve("p.prompt"));
    assertThat(loader.load(second).prompts()).doesNotContainKey("p");
  }
}
