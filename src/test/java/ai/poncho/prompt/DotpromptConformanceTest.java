package ai.poncho.prompt;

import static org.assertj.core.api.Assertions.assertThat;

import ai.poncho.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs every case of the Dotprompt conformance suite (the folder named by the system property
 * {@code dotprompt.spec.dir}), and PonchoAI's own cases in the same format ({@code dotprompt-poncho/} in the
 * test resources), through the HTTP API, as a user would: each case's template becomes a prompt
 * file (its {@code options} become front matter, its partials {@code _name.prompt} files), the case's data
 * goes to {@code POST /api/v1/prompts/{name}/render}, and every expected key must equal the answer's
 * Dotprompt view ({@code dotprompt.metadata} plus {@code dotprompt.messages}). Two kinds of case differ on
 * purpose (see the README): named schemas (no schema resolver exists, the prompt fails to load and says
 * why) and the {@code raw} case's body after front matter, which keeps its whitespace where the reference
 * trims it.
 */
class DotpromptConformanceTest {

  /** The spec case whose body follows front matter: the reference trims it, PonchoAI keeps its newline. */
  private static final String TRIMMED_BODY_CASE = "spec/metadata/raw";
  private static final Path OWN_CASES = Path.of("src/test/resources/dotprompt-poncho");

  @TempDir
  static Path dir;
  private static TestServer server;
  private static Vertx clientVertx;
  private static WebClient client;
  /** A case file and the name prefix of its prompts ({@code spec/…} or {@code poncho/…}). */
  private record CaseFile(String label, Path root, Path file) {
    String display() {
      return label + "/" + root.relativize(file).toString().replace('\\', '/');
    }
  }

  private static final List<CaseFile> FILES = new ArrayList<>();

  @BeforeAll
  static void start() throws IOException {
    String spec = System.getProperty("dotprompt.spec.dir");
    Path root = spec == null ? null : Path.of(spec);
    if (root == null || !Files.isDirectory(root)) {
      return;
    }
    FILES.addAll(caseFiles("spec", root));
    FILES.addAll(caseFiles("poncho", OWN_CASES));
    Map<String, String> partials = new HashMap<>();
    for (CaseFile file : FILES) {
      JsonArray suites = suites(file);
      for (int s = 0; s < suites.size(); s++) {
        JsonObject suite = suites.getJsonObject(s);
        JsonObject all = new JsonObject().mergeIn(suite.getJsonObject("partials", new JsonObject()))
            .mergeIn(suite.getJsonObject("resolverPartials", new JsonObject()));
        for (String name : all.fieldNames()) {
          String source = all.getString(name);
          String earlier = partials.putIfAbsent(name, source);
          assertThat(earlier).as("partial '%s' is defined twice with different sources", name).isIn(null, source);
          write("_" + name + ".prompt", source);
        }
        JsonArray tests = suite.getJsonArray("tests");
        for (int t = 0; t < tests.size(); t++) {
          String prompt = promptName(file, suite, t) + ".prompt";
          assertThat(dir.resolve(prompt)).as("one prompt file per case").doesNotExist();
          write(prompt, source(suite, tests.getJsonObject(t)));
        }
      }
    }
    JsonObject config = TestServer.config().put("prompts", new JsonObject().put("dir", dir.toString())
        .put("reload_interval", "0").put("media", new JsonObject().put("schemes", new JsonArray()
            .add("https").add("http").add("data"))));
    server = TestServer.start(config);
    clientVertx = Vertx.vertx();
    client = server.webClient(clientVertx);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
      TestServer.await(clientVertx.close());
    }
  }

  private static List<CaseFile> caseFiles(String label, Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(p -> p.toString().endsWith(".yaml")).sorted().map(p -> new CaseFile(label, root, p)).toList();
    }
  }

  @TestFactory
  Stream<DynamicNode> conformanceSuite() throws IOException {
    Assumptions.assumeTrue(server != null, "no Dotprompt spec folder present");
    assertThat(FILES).extracting(CaseFile::label).contains("spec", "poncho");
    List<DynamicNode> nodes = new ArrayList<>();
    for (CaseFile file : FILES) {
      JsonArray suites = suites(file);
      List<DynamicNode> suiteNodes = new ArrayList<>();
      for (int s = 0; s < suites.size(); s++) {
        JsonObject suite = suites.getJsonObject(s);
        JsonArray tests = suite.getJsonArray("tests");
        List<DynamicNode> cases = new ArrayList<>();
        for (int t = 0; t < tests.size(); t++) {
          JsonObject test = tests.getJsonObject(t);
          String name = promptName(file, suite, t);
          cases.add(DynamicTest.dynamicTest(test.getString("desc", "case " + t), () -> run(name, suite, test)));
        }
        suiteNodes.add(DynamicContainer.dynamicContainer(suite.getString("name"), cases));
      }
      nodes.add(DynamicContainer.dynamicContainer(file.display(), suiteNodes));
    }
    return nodes.stream();
  }

  private static void run(String name, JsonObject suite, JsonObject test) {
    if (suite.containsKey("schemas") || suite.containsKey("resolverSchemas")) {
      // Named schemas need a resolver, which PonchoAI does not have: the file fails to load, and says why.
      JsonObject prompt = TestServer.await(client.get("/api/v1/prompts/" + name).send()).bodyAsJsonObject();
      assertThat(prompt.getString("status")).isEqualTo("error");
      assertThat(prompt.getString("error")).containsIgnoringCase("type");
      return;
    }
    JsonObject data = suite.getJsonObject("data", new JsonObject()).copy()
        .mergeIn(test.getJsonObject("data", new JsonObject()));
    JsonObject body = new JsonObject().put("input", data.getJsonObject("input", new JsonObject()));
    if (data.containsKey("context")) {
      body.put("context", data.getJsonObject("context"));
    }
    if (data.containsKey("messages")) {
      body.put("messages", openAiHistory(data.getJsonArray("messages")));
    }
    HttpResponse<Buffer> response = TestServer.await(client.post("/api/v1/prompts/" + name + "/render")
        .sendJsonObject(body));
    assertThat(response.statusCode()).as(() -> response.bodyAsString() + "; the prompt: "
        + TestServer.await(client.get("/api/v1/prompts/" + name).send()).bodyAsString()).isEqualTo(200);
    JsonObject dotprompt = response.bodyAsJsonObject().getJsonObject("dotprompt");
    JsonObject actual = dotprompt.getJsonObject("metadata").copy().put("messages", dotprompt.getJsonArray("messages"));
    JsonObject expect = expected(name, suite, test);
    for (String key : expect.fieldNames()) {
      assertThat(actual.getValue(key)).as(key).isEqualTo(expect.getValue(key));
    }
  }

  /**
   * The case's expectations, except where PonchoAI differs on purpose: the reference trims a body that
   * follows front matter, PonchoAI consumes only the fence lines (issue 14), so the {@code raw} case's body
   * keeps its final newline.
   */
  private static JsonObject expected(String name, JsonObject suite, JsonObject test) {
    JsonObject expect = test.getJsonObject("expect").copy();
    DotpromptParser.Split split = DotpromptParser.split(suite.getString("template"));
    if (name.startsWith(TRIMMED_BODY_CASE + "/")) {
      JsonArray messages = expect.getJsonArray("messages");
      JsonObject last = messages.getJsonObject(messages.size() - 1);
      JsonArray content = last.getJsonArray("content");
      JsonObject part = content.getJsonObject(content.size() - 1);
      String text = part.getString("text");
      assertThat(split.body().strip()).as("the reference's trimmed body").endsWith(text.strip());
      part.put("text", text + split.body().substring(split.body().stripTrailing().length()));
    }
    return expect;
  }

  /** Dotprompt history (roles user/model, text parts) as the OpenAI messages the API takes. */
  private static JsonArray openAiHistory(JsonArray messages) {
    JsonArray history = new JsonArray();
    for (int i = 0; i < messages.size(); i++) {
      JsonObject message = messages.getJsonObject(i);
      StringBuilder text = new StringBuilder();
      message.getJsonArray("content").forEach(part -> text.append(((JsonObject) part).getString("text")));
      String role = message.getString("role").equals("model") ? "assistant" : message.getString("role");
      history.add(new JsonObject().put("role", role).put("content", text.toString()));
    }
    return history;
  }

  /** The case's prompt file: its template, with the case's options as front matter when it has none of its own. */
  private static String source(JsonObject suite, JsonObject test) {
    String template = suite.getString("template");
    JsonObject options = test.getJsonObject("options", new JsonObject());
    if (options.isEmpty()) {
      return template;
    }
    assertThat(DotpromptParser.split(template).frontMatter()).as("options for a template with front matter").isNull();
    return "---\n" + options.encode() + "\n---\n" + template;
  }

  /** {@code spec/<file>/<suite name>/<case index>}: the name says which case a prompt file is. */
  private static String promptName(CaseFile file, JsonObject suite, int test) {
    String stem = file.root().relativize(file.file()).toString().replace('\\', '/').replaceFirst("\\.yaml$", "");
    return (file.label() + "/" + stem + "/" + suite.getString("name")).replaceAll("[^A-Za-z0-9_/-]", "_") + "/t" + test;
  }

  private static JsonArray suites(CaseFile file) throws IOException {
    return (JsonArray) Yaml.document(Files.readString(file.file()));
  }

  private static void write(String file, String content) throws IOException {
    Path path = dir.resolve(file);
    Files.createDirectories(path.getParent());
    Files.writeString(path, content);
  }
}
