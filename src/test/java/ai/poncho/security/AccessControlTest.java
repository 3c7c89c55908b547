package ai.poncho.security;

import static ai.poncho.testing.AuthClient.error;
import static ai.poncho.testing.AuthClient.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.poncho.testing.AuthClient;
import ai.poncho.testing.LogCapture;
import ai.poncho.testing.TestServer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Auth on (master key, in-memory keys) over real HTTP: every error, roles, allow-lists and the key API. */
class AccessControlTest {

  private static final String MASTER = AuthClient.newMasterKey();
  private static TestServer server;
  private static AuthClient http;

  @BeforeAll
  static void start() {
    JsonObject config = AuthClient.config(MASTER);
    config.getJsonObject("http").put("access_log", true);
    JsonObject models = config.getJsonObject("models");
    for (String name : List.of("deepseek-chat", "deepseek-reasoner", "gpt-4o")) {
      models.put(name, new JsonObject().put("provider", "mock"));
    }
    server = TestServer.start(config);
    http = new AuthClient(server);
  }

  @AfterAll
  static void stop() {
    http.close();
    server.close();
  }

  private static String secretOf(JsonObject created) {
    return created.getString("key");
  }

  @Test
  void noKeyIs401InvalidApiKeyWithWwwAuthenticate() {
    HttpResponse<Buffer> response = http.chat(null, "mock");
    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.getHeader("WWW-Authenticate")).isEqualTo("Bearer");
    assertThat(error(response).getString("type")).isEqualTo("invalid_request_error");
    assertThat(error(response).getString("code")).isEqualTo("invalid_api_key");
    assertThat(http.get("/v1/models", null).statusCode()).isEqualTo(401);
    assertThat(http.get("/api/v1/prompts", null).statusCode()).isEqualTo(401);
    assertThat(http.get("/api/v1/keys", null).statusCode()).isEqualTo(401);
  }

  @Test
  void unknownKeyIs401AndNeverEchoed() {
    String wrong = "sk-poncho-" + "A".repeat(43);
    HttpResponse<Buffer> response = http.chat(wrong, "mock");
    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(error(response).getString("code")).isEqualTo("invalid_api_key");
    assertThat(response.bodyAsString()).doesNotContain(wrong);
    assertThat(http.chat("not-even-a-key", "mock").statusCode()).isEqualTo(401);
  }

  @Test
  void masterKeyAndManagedKeysWorkAsBearerAndAsXApiKey() {
    assertThat(http.chat(MASTER, "mock").statusCode()).isEqualTo(200);
    String user = secretOf(http.createKey(MASTER, key("user")));
    assertThat(http.chat(user, "mock").statusCode()).isEqualTo(200);
    assertThat(http.withHeader(HttpMethod.GET, "/v1/models", "x-api-key", user).statusCode()).isEqualTo(200);
  }

  @Test
  void probesAndMetricsStayOpen() {
    assertThat(http.get("/health/live", null).statusCode()).isEqualTo(200);
    assertThat(http.get("/health/ready", null).statusCode()).isEqualTo(200);
    assertThat(http.get("/metrics", null).statusCode()).isEqualTo(200);
  }

  @Test
  void createdKeyHasTheFormatAndIsShownOnlyOnce() {
    JsonObject created = http.createKey(MASTER, key("user").put("team", "fashion")
        .put("metadata", new JsonObject().put("owner", "ana")).put("rpm", 60).put("max_budget", "12.50")
        .put("budget_period", "monthly"));
    assertThat(secretOf(created)).matches("sk-poncho-[0-9A-Za-z]{43}");
    assertThat(created.getString("id")).startsWith("key_");
    assertThat(created.getLong("created_at")).isPositive();
    assertThat(created.getString("role")).isEqualTo("user");
    assertThat(created.getString("team")).isEqualTo("fashion");
    assertThat(created.getInteger("rpm")).isEqualTo(60);
    assertThat(created.getString("max_budget")).isEqualTo("12.50");
    assertThat(created.getString("budget_period")).isEqualTo("monthly");
    JsonObject fetched = http.get("/api/v1/keys/" + created.getString("id"), MASTER).bodyAsJsonObject();
    assertThat(fetched.containsKey("key")).isFalse();
    assertThat(fetched.encode()).doesNotContain(secretOf(created)).doesNotContain(KeySecrets.hash(secretOf(created)));
    assertThat(fetched.getJsonObject("metadata").getString("owner")).isEqualTo("ana");
    assertThat(fetched.getString("key_hint")).isEqualTo(secretOf(created).substring(0, 18));
    assertThat(fetched.getInteger("rpm")).isEqualTo(60);
  }

  @Test
  void listIsPaginatedWithoutSecrets() {
    Set<String> created = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      created.add(http.createKey(MASTER, key("viewer")).getString("id"));
    }
    Set<String> seen = new HashSet<>();
    String after = null;
    int pages = 0;
    boolean more = true;
    while (more) {
      JsonObject page = http.get("/api/v1/keys?limit=2" + (after == null ? "" : "&after=" + after), MASTER)
          .bodyAsJsonObject();
      JsonArray data = page.getJsonArray("data");
      assertThat(data.size()).isBetween(0, 2);
      data.forEach(item -> {
        assertThat(((JsonObject) item).containsKey("key")).isFalse();
        seen.add(((JsonObject) item).getString("id"));
      });
      more = page.getBoolean("has_more");
      after = page.getString("last_id");
      pages++;
    }
    assertThat(seen).containsAll(created);
    assertThat(pages).isGreaterThanOrEqualTo(3);
    assertThat(http.get("/api/v1/keys?limit=0", MASTER).statusCode()).isEqualTo(400);
  }

  @Test
  void modelAllowListGlobsFilterModelsAndRefuseOthers() {
    String key = secretOf(http.createKey(MASTER, key("user", "deepseek-*", "prompt:fashion/*")));
    assertThat(http.chat(key, "deepseek-chat").statusCode()).isEqualTo(200);
    assertThat(http.chat(key, "deepseek-reasoner").statusCode()).isEqualTo(200);
    HttpResponse<Buffer> refused = http.chat(key, "gpt-4o");
    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(error(refused).getString("code")).isEqualTo("model_not_allowed");
    JsonArray models = http.get("/v1/models", key).bodyAsJsonObject().getJsonArray("data");
    assertThat(models.stream().map(m -> ((JsonObject) m).getString("id")).toList())
        .containsExactlyInAnyOrder("deepseek-chat", "deepseek-reasoner");
    assertThat(http.get("/v1/models/gpt-4o", key).statusCode()).isEqualTo(403);
    assertThat(http.get("/v1/models/deepseek-chat", key).statusCode()).isEqualTo(200);

    JsonObject run = new JsonObject().put("input", new JsonObject().put("sketch_url", "https://example.com/a.png"));
    assertThat(http.send(HttpMethod.POST, "/api/v1/prompts/fashion/sketch_description/render", key, run)
        .statusCode()).isEqualTo(200);
    HttpResponse<Buffer> override = http.send(HttpMethod.POST, "/api/v1/prompts/fashion/sketch_description/render",
        key, run.copy().put("model", "gpt-4o"));
    assertThat(error(override).getString("code")).isEqualTo("model_not_allowed");
    String deepseekOnly = secretOf(http.createKey(MASTER, key("user", "deepseek-*")));
    HttpResponse<Buffer> prompt = http.send(HttpMethod.POST, "/api/v1/prompts/fashion/sketch_description/render",
        deepseekOnly, run);
    assertThat(prompt.statusCode()).isEqualTo(403);
    assertThat(error(prompt).getString("code")).isEqualTo("model_not_allowed");
  }

  @Test
  void thePromptListAndPromptDetailsShowOnlyTheKeysPrompts() {
    String one = secretOf(http.createKey(MASTER, key("user", "deepseek-*", "prompt:fashion/sketch_analysis")));
    assertThat(promptNames(MASTER)).contains("fashion/sketch_analysis", "fashion/sketch_description");
    assertThat(promptNames(one)).containsExactly("fashion/sketch_analysis");
    assertThat(http.get("/api/v1/prompts/fashion/sketch_analysis", one).statusCode()).isEqualTo(200);
    HttpResponse<Buffer> hidden = http.get("/api/v1/prompts/fashion/sketch_description", one);
    assertThat(hidden.statusCode()).isEqualTo(403);
    assertThat(error(hidden).getString("code")).isEqualTo("model_not_allowed");
    assertThat(http.get("/api/v1/prompts/fashion%2Fsketch_description", one).statusCode()).isEqualTo(403);

    String modelsOnly = secretOf(http.createKey(MASTER, key("user", "deepseek-*")));
    assertThat(promptNames(modelsOnly)).isEmpty();
  }

  private List<String> promptNames(String key) {
    HttpResponse<Buffer> list = http.get("/api/v1/prompts", key);
    assertThat(list.statusCode()).isEqualTo(200);
    return list.bodyAsJsonObject().getJsonArray("data").stream().map(p -> ((JsonObject) p).getString("name")).toList();
  }

  @Test
  void theAllowListHoldsOnTheMessagesResponsesAndEmbeddingsRoutes() {
    String key = secretOf(http.createKey(MASTER, key("user", "deepseek-*")));
    JsonObject messages = new JsonObject().put("model", "gpt-4o").put("max_tokens", 16).put("messages",
        new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi")));
    HttpResponse<Buffer> anthropic = http.send(HttpMethod.POST, "/v1/messages", key, messages);
    assertThat(anthropic.statusCode()).isEqualTo(403);
    assertThat(anthropic.bodyAsJsonObject().getString("type")).isEqualTo("error");
    assertThat(anthropic.bodyAsJsonObject().getJsonObject("error").getString("type")).isEqualTo("permission_error");
    assertThat(http.send(HttpMethod.POST, "/v1/messages", key, messages.copy().put("model", "deepseek-chat"))
        .statusCode()).isEqualTo(200);
    HttpResponse<Buffer> responses = http.send(HttpMethod.POST, "/v1/responses", key,
        new JsonObject().put("model", "gpt-4o").put("input", "hi"));
    assertThat(responses.statusCode()).isEqualTo(403);
    assertThat(error(responses).getString("code")).isEqualTo("model_not_allowed");
    HttpResponse<Buffer> embeddings = http.send(HttpMethod.POST, "/v1/embeddings", key,
        new JsonObject().put("model", "text-embedding-3-small").put("input", "hi"));
    assertThat(embeddings.statusCode()).isEqualTo(403);
    assertThat(error(embeddings).getString("code")).isEqualTo("model_not_allowed");
  }

  @Test
  void viewerReadsButCannotCallModelsOrCreateKeys() {
    String viewer = secretOf(http.createKey(MASTER, key("viewer")));
    assertThat(http.get("/v1/models", viewer).statusCode()).isEqualTo(200);
    assertThat(http.get("/api/v1/prompts", viewer).statusCode()).isEqualTo(200);
    HttpResponse<Buffer> chat = http.chat(viewer, "mock");
    assertThat(chat.statusCode()).isEqualTo(403);
    assertThat(error(chat).getString("code")).isEqualTo("insufficient_permissions");
    HttpResponse<Buffer> create = http.send(HttpMethod.POST, "/api/v1/keys", viewer, key("admin"));
    assertThat(create.statusCode()).isEqualTo(403);
    assertThat(error(create).getString("code")).isEqualTo("insufficient_permissions");
  }

  @Test
  void userCannotManageKeys() {
    String user = secretOf(http.createKey(MASTER, key("user")));
    assertThat(http.get("/api/v1/keys", user).statusCode()).isEqualTo(403);
    assertThat(http.send(HttpMethod.POST, "/api/v1/keys", user, key("user")).statusCode()).isEqualTo(403);
  }

  @Test
  void endpointsSubsetIsEnforced() {
    String modelsOnly = secretOf(http.createKey(MASTER, key("user").put("endpoints", new JsonArray().add("models"))));
    assertThat(http.get("/v1/models", modelsOnly).statusCode()).isEqualTo(200);
    HttpResponse<Buffer> chat = http.chat(modelsOnly, "mock");
    assertThat(chat.statusCode()).isEqualTo(403);
    assertThat(error(chat).getString("code")).isEqualTo("insufficient_permissions");
    assertThat(http.get("/api/v1/prompts", modelsOnly).statusCode()).isEqualTo(403);
  }

  @Test
  void disabledAndExpiredKeysGet401SayingSo() {
    JsonObject created = http.createKey(MASTER, key("user"));
    String id = created.getString("id");
    String secret = secretOf(created);
    assertThat(patch(id, new JsonObject().put("enabled", false)).statusCode()).isEqualTo(200);
    HttpResponse<Buffer> disabled = http.chat(secret, "mock");
    assertThat(disabled.statusCode()).isEqualTo(401);
    assertThat(error(disabled).getString("message")).contains("disabled");
    assertThat(patch(id, new JsonObject().put("enabled", true)).statusCode()).isEqualTo(200);
    assertThat(http.chat(secret, "mock").statusCode()).isEqualTo(200);

    assertThat(patch(id, new JsonObject().put("expires_at", Instant.now().minusSeconds(5).getEpochSecond()))
        .statusCode()).isEqualTo(200);
    HttpResponse<Buffer> expired = http.chat(secret, "mock");
    assertThat(expired.statusCode()).isEqualTo(401);
    assertThat(error(expired).getString("code")).isEqualTo("invalid_api_key");
    assertThat(error(expired).getString("message")).contains("expired");

    String soon = secretOf(http.createKey(MASTER, key("user")
        .put("expires_at", Instant.now().plusSeconds(2).toString())));
    assertThat(http.chat(soon, "mock").statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> http.chat(soon, "mock").statusCode() == 401);

    String born = secretOf(http.createKey(MASTER, key("user").put("expires_at", "2020-01-01T00:00:00")));
    assertThat(error(http.chat(born, "mock")).getString("message")).contains("expired");
  }

  @Test
  void patchChangesFieldsAndDeleteRevokes() {
    JsonObject created = http.createKey(MASTER, key("user", "mock"));
    String id = created.getString("id");
    HttpResponse<Buffer> patched = patch(id, new JsonObject().put("models", new JsonArray().add("deepseek-*"))
        .put("team", "ops").put("tpm", 1000));
    assertThat(patched.statusCode()).isEqualTo(200);
    assertThat(patched.bodyAsJsonObject().getString("team")).isEqualTo("ops");
    assertThat(patched.bodyAsJsonObject().getInteger("tpm")).isEqualTo(1000);
    assertThat(http.chat(secretOf(created), "mock").statusCode()).isEqualTo(403);
    assertThat(http.chat(secretOf(created), "deepseek-chat").statusCode()).isEqualTo(200);

    HttpResponse<Buffer> deleted = http.send(HttpMethod.DELETE, "/api/v1/keys/" + id, MASTER, null);
    assertThat(deleted.bodyAsJsonObject().getBoolean("deleted")).isTrue();
    assertThat(http.chat(secretOf(created), "deepseek-chat").statusCode()).isEqualTo(401);
    assertThat(http.get("/api/v1/keys/" + id, MASTER).statusCode()).isEqualTo(404);
    assertThat(http.send(HttpMethod.DELETE, "/api/v1/keys/" + id, MASTER, null).statusCode()).isEqualTo(404);
  }

  @Test
  void rotationKeepsTheOldKeyForTheGracePeriod() {
    JsonObject created = http.createKey(MASTER, key("user"));
    String id = created.getString("id");
    String old = secretOf(created);
    HttpResponse<Buffer> rotated = http.send(HttpMethod.POST, "/api/v1/keys/" + id + "/rotate", MASTER,
        new JsonObject().put("grace_period", "2s"));
    assertThat(rotated.statusCode()).as(rotated.bodyAsString()).isEqualTo(200);
    String fresh = secretOf(rotated.bodyAsJsonObject());
    assertThat(fresh).isNotEqualTo(old).matches("sk-poncho-[0-9A-Za-z]{43}");
    assertThat(rotated.bodyAsJsonObject().getLong("previous_key_expires_at")).isPositive();
    assertThat(http.chat(fresh, "mock").statusCode()).isEqualTo(200);
    assertThat(http.chat(old, "mock").statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> http.chat(old, "mock").statusCode() == 401);
    assertThat(http.chat(fresh, "mock").statusCode()).isEqualTo(200);

    HttpResponse<Buffer> immediate = http.send(HttpMethod.POST, "/api/v1/keys/" + id + "/rotate", MASTER,
        new JsonObject().put("grace_period", 0));
    assertThat(http.chat(fresh, "mock").statusCode()).isEqualTo(401);
    assertThat(http.chat(secretOf(immediate.bodyAsJsonObject()), "mock").statusCode()).isEqualTo(200);
  }

  @Test
  void validationListsEveryBadField() {
    HttpResponse<Buffer> response = http.send(HttpMethod.POST, "/api/v1/keys", MASTER, new JsonObject()
        .put("role", "boss").put("models", "deepseek-*").put("expires_at", "yesterday").put("rpm", -1)
        .put("colour", "red"));
    assertThat(response.statusCode()).isEqualTo(400);
    JsonArray details = error(response).getJsonArray("details");
    assertThat(details.stream().map(d -> ((JsonObject) d).getString("param")).toList())
        .containsExactlyInAnyOrder("colour", "role", "models", "expires_at", "rpm");
    assertThat(error(response).getString("message")).contains("colour", "role", "models", "expires_at", "rpm");

    HttpResponse<Buffer> unknown = http.send(HttpMethod.POST, "/api/v1/keys", MASTER, new JsonObject().put("x", 1));
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(error(unknown).getString("code")).isEqualTo("unknown_parameter");
    assertThat(error(unknown).getString("param")).isEqualTo("x");
  }

  @Test
  void badJsonHugeBodiesAndWrongTypesGetClearErrors() {
    HttpResponse<Buffer> bad = http.send(HttpMethod.POST, "/api/v1/keys", MASTER, "{\"role\": ");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(error(bad).getString("code")).isEqualTo("invalid_json");
    HttpResponse<Buffer> huge = http.send(HttpMethod.POST, "/api/v1/keys", MASTER,
        new JsonObject().put("name", "x".repeat(200_000)));
    assertThat(huge.statusCode()).isEqualTo(413);
    assertThat(error(huge).getString("code")).isEqualTo("request_too_large");
    String id = http.createKey(MASTER, key("user")).getString("id");
    assertThat(patch(id, new JsonObject().put("role", null)).statusCode()).isEqualTo(400);
    assertThat(patch(id, new JsonObject().put("enabled", "no")).statusCode()).isEqualTo(400);
    assertThat(http.send(HttpMethod.PATCH, "/api/v1/keys/" + id, MASTER, "[1]").statusCode()).isEqualTo(400);
    assertThat(http.send(HttpMethod.POST, "/api/v1/keys/" + id + "/rotate", MASTER,
        new JsonObject().put("grace", 1)).statusCode()).isEqualTo(400);
  }

  @Test
  void securityHeadersOnEveryResponse() {
    HttpResponse<Buffer> models = http.get("/v1/models", MASTER);
    assertThat(models.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(models.getHeader("Cache-Control")).isEqualTo("no-store");
    assertThat(models.getHeader("Strict-Transport-Security")).isNull();
    HttpResponse<Buffer> refused = http.get("/v1/models", null);
    assertThat(refused.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(refused.getHeader("Cache-Control")).isEqualTo("no-store");
    assertThat(http.get("/health/live", null).getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
  }

  @Test
  void everyKeyChangeIsAuditedWithoutTheSecret() {
    JsonObject created = http.createKey(MASTER, key("user"));
    String id = created.getString("id");
    patch(id, new JsonObject().put("enabled", false));
    http.send(HttpMethod.POST, "/api/v1/keys/" + id + "/rotate", MASTER, null);
    http.send(HttpMethod.DELETE, "/api/v1/keys/" + id, MASTER, null);
    List<String> audit = LogCapture.recentLines().stream()
        .filter(line -> line.startsWith("poncho.audit ") && line.contains("key=" + id)).toList();
    assertThat(audit).hasSize(4);
    assertThat(audit).anyMatch(line -> line.contains("action=create") && line.contains("actor=master"))
        .anyMatch(line -> line.contains("action=update")).anyMatch(line -> line.contains("action=rotate"))
        .anyMatch(line -> line.contains("action=revoke"));
    assertThat(String.join("\n", audit)).doesNotContain(secretOf(created)).doesNotContain(MASTER);
  }

  private static HttpResponse<Buffer> patch(String id, JsonObject body) {
    return http.send(HttpMethod.PATCH, "/api/v1/keys/" + id, MASTER, body);
  }
}
