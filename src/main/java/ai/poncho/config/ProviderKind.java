package ai.poncho.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The provider families a model entry can name, with their public default endpoints. */
public enum ProviderKind {
  OPENAI("openai", "https://api.openai.com/v1", true),
  DEEPSEEK("deepseek", "https://api.deepseek.com", true),
  ZAI("zai", "https://api.z.ai/api/paas/v4", true),
  ANTHROPIC("anthropic", "https://api.anthropic.com", true),
  OLLAMA("ollama", "http://localhost:11434/v1", false),
  VLLM("vllm", "http://localhost:8000/v1", false),
  /** Any other server speaking the OpenAI chat-completions API; base_url is required. */
  OPENAI_COMPATIBLE("openai_compatible", null, false),
  MOCK("mock", null, false);

  private final String id;
  private final String defaultBaseUrl;
  private final boolean needsApiKey;

  ProviderKind(String id, String defaultBaseUrl, boolean needsApiKey) {
    this.id = id;
    this.defaultBaseUrl = defaultBaseUrl;
    this.needsApiKey = needsApiKey;
  }

  public String id() {
    return id;
  }

  public String defaultBaseUrl() {
    return defaultBaseUrl;
  }

  public boolean needsApiKey() {
    return needsApiKey;
  }

  /** Whether the provider's chat API takes {@code top_k} (OpenAI, DeepSeek and Z.AI refuse or ignore it). */
  public boolean takesTopK() {
    return this == ANTHROPIC || this == OLLAMA || this == VLLM || this == OPENAI_COMPATIBLE || this == MOCK;
  }

  public static Optional<ProviderKind> byId(String id) {
    String wanted = id == null ? "" : id.toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(kind -> kind.id.equals(wanted)).findFirst();
  }
}
