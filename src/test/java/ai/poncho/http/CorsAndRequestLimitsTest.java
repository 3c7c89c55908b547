package ai.poncho.http;

import static org.assertj.core.api.Assertions.assertThat;

import ai.poncho.testing.AuthClient;
import ai.poncho.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

/** CORS (off by default, an allow-list of origins) and the header-size and URL-length limits. */
class CorsAndRequestLimitsTest {

  private static HttpResponse<Buffer> call(TestServer server, HttpMethod method, String path, String... headers) {
    Vertx vertx = Vertx.vertx();
    try {
      var request = server.webClient(vertx).request(method, path);
      for (int i = 0; i < headers.length; i += 2) {
        request.putHeader(headers[i], headers[i + 1]);
      }
      return TestServer.await(request.send());
    } finally {
      TestServer.await(vertx.close());
    }
  }

  @Test
  void corsIsOffByDefault() {
    try (TestServer server = TestServer.start()) {
      HttpResponse<Buffer> response = call(server, HttpMethod.GET, "/v1/models", "Origin", "https://evil.example");
      assertThat(response.getHeader("Access-Control-Allow-Origin")).isNull();
    }
  }

  @Test
  void allowedOriginsGetCorsAndPreflightsNeedNoKey() {
    String master = AuthClient.newMasterKey();
    JsonObject config = AuthClient.config(master);
    config.getJsonObject("http").put("cors", new JsonObject().put("allowed_origins",
        new JsonArray().add("https://app.example.com")));
    try (TestServer server = TestServer.start(config)) {
      HttpResponse<Buffer> preflight = call(server, HttpMethod.OPTIONS, "/v1/chat/completions",
          "Origin", "https://app.example.com", "Access-Control-Request-Method", "POST",
          "Access-Control-Request-Headers", "authorization,content-type");
      assertThat(preflight.statusCode()).isEqualTo(204);
      assertThat(preflight.getHeader("Access-Control-Allow-Origin")).isEqualTo("https://app.example.com");
      assertThat(preflight.getHeader("Access-Control-Allow-Headers")).containsIgnoringCase("authorization");
      HttpResponse<Buffer> allowed = call(server, HttpMethod.GET, "/v1/models", "Origin", "https://app.example.com",
          "Authorization", "Bearer " + master);
      assertThat(allowed.statusCode()).isEqualTo(200);
      assertThat(allowed.getHeader("Access-Control-Allow-Origin")).isEqualTo("https://app.example.com");
      assertThat(allowed.getHeader("Access-Control-Expose-Headers")).contains("x-poncho-cache", "x-poncho-cost-usd",
          "retry-after-ms", "x-ratelimit-remaining-requests", "x-ratelimit-reset-tokens", "x-request-id");
      HttpResponse<Buffer> other = call(server, HttpMethod.GET, "/v1/models", "Origin", "https://evil.example",
          "Authorization", "Bearer " + master);
      assertThat(other.getHeader("Access-Control-Allow-Origin")).isNull();
    }
  }

  @Test
  void oversizedHeadersAndUrlsAreRefusedBeforeAuth() {
    JsonObject config = AuthClient.config(AuthClient.newMasterKey());
    config.getJsonObject("http").put("max_header_size", 2048).put("max_url_length", 512);
    try (TestServer server = TestServer.start(config)) {
      assertThat(call(server, HttpMethod.GET, "/v1/models", "x-padding", "a".repeat(4096)).statusCode())
          .isEqualTo(431);
      assertThat(call(server, HttpMethod.GET, "/v1/models?q=" + "a".repeat(1024)).statusCode()).isEqualTo(414);
      assertThat(call(server, HttpMethod.GET, "/v1/models?q=" + "a".repeat(256)).statusCode()).isEqualTo(401);
    }
  }
}
