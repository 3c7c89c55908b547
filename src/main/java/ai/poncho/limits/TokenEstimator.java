package ai.poncho.limits;

import ai.poncho.chat.Vocabularies;
import ai.poncho.config.ModelConfig;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * Estimates a request's prompt tokens before the call, to reserve them against tpm limits; the
 * provider's reported usage replaces the estimate when the call ends. OpenAI-family models are counted
 * with their own tokenizer (o200k_base for gpt-4o, gpt-4.1, gpt-5 and the o-series; cl100k_base for
 * gpt-4 and gpt-3.5); every other model (DeepSeek, GLM, Claude, local models) with cl100k_base, whose
 * counts are within a few tens of percent of theirs. Per message 3 tokens of framing, 3 for the reply,
 * 85 per image part (OpenAI's low-detail price). Prompts over 64K characters are estimated at 4
 * characters a token, so that an estimate never holds an event loop.
 */
public final class TokenEstimator {

  private static final int MAX_EXACT_CHARS = 64 * 1024;
  private static final int PER_MESSAGE = 3;
  private static final int PER_REPLY = 3;
  private static final int PER_IMAGE = 85;

  private final Map<String, ModelConfig> models;

  public TokenEstimator(Map<String, ModelConfig> models) {
    this.models = models;
  }

  /** The encoding used for a public model name (or an upstream one when it is not configured). */
  public Encoding encodingFor(String model) {
    return Vocabularies.get(typeFor(model));
  }

  /** Whether estimating {@code body} can start at once, its vocabulary being read already. */
  public boolean ready(JsonObject body) {
    return Vocabularies.loaded(typeFor(body.getValue("model") instanceof String s ? s : null));
  }

  private EncodingType typeFor(String model) {
    ModelConfig config = model == null ? null : models.get(model);
    String upstream = config != null ? config.modelName() : model;
    return o200k(upstream) ? EncodingType.O200K_BASE : EncodingType.CL100K_BASE;
  }

  private static boolean o200k(String upstream) {
    if (upstream == null) {
      return false;
    }
    String name = upstream.contains("/") ? upstream.substring(upstream.lastIndexOf('/') + 1) : upstream;
    return name.startsWith("gpt-4o") || name.startsWith("gpt-4.1") || name.startsWith("gpt-4.5")
        || name.startsWith("gpt-5") || name.startsWith("chatgpt-4o") || name.matches("o[1-9].*");
  }

  /** Prompt tokens of an OpenAI-style (or Anthropic, Responses, embeddings, prompt-execute) request body. */
  public int estimate(JsonObject body) {
    Object model = body.getValue("model");
    Encoding encoding = encodingFor(model instanceof String s ? s : null);
    Counter counter = new Counter(encoding);
    Object messages = body.getValue("messages");
    if (messages instanceof JsonArray list) {
      for (Object message : list) {
        counter.tokens += PER_MESSAGE;
        if (message instanceof JsonObject m) {
          counter.content(m.getValue("content"));
          counter.text(m.getValue("name"));
          counter.json(m.getValue("tool_calls"));
        }
      }
      counter.tokens += PER_REPLY;
    }
    for (String field : new String[] {"input", "prompt", "system", "instructions"}) {
      counter.content(body.getValue(field));
    }
    for (String field : new String[] {"tools", "functions", "variables", "response_format"}) {
      counter.json(body.getValue(field));
    }
    return counter.total();
  }

  /** Tokens of a piece of generated text (a cancelled stream's output, when the provider reported none). */
  public int count(String model, String text) {
    if (text == null || text.isEmpty()) {
      return 0;
    }
    return text.length() > MAX_EXACT_CHARS ? text.length() / 4 : encodingFor(model).countTokensOrdinary(text);
  }

  private static final class Counter {
    private final Encoding encoding;
    private final StringBuilder text = new StringBuilder();
    private int tokens;

    Counter(Encoding encoding) {
      this.encoding = encoding;
    }

    void content(Object value) {
      if (value instanceof String s) {
        text(s);
      } else if (value instanceof JsonArray parts) {
        for (Object part : parts) {
          if (part instanceof String s) {
            text(s);
          } else if (part instanceof JsonObject p) {
            String type = p.getString("type", "");
            if (type.contains("image")) {
              tokens += PER_IMAGE;
            } else if (p.getValue("text") instanceof String s) {
              text(s);
            } else if (p.getValue("content") != null) {
              content(p.getValue("content"));
            } else {
              json(p);
            }
          }
        }
      } else if (value != null) {
        json(value);
      }
    }

    void text(Object value) {
      if (value instanceof String s && text.length() <= MAX_EXACT_CHARS) {
        text.append(s).append('\n');
      } else if (value instanceof String s) {
        tokens += s.length() / 4;
      }
    }

    void json(Object value) {
      if (value instanceof JsonObject o) {
        text(o.encode());
      } else if (value instanceof JsonArray a) {
        text(a.encode());
      }
    }

    int total() {
      if (text.length() > MAX_EXACT_CHARS) {
        return tokens + text.length() / 4;
      }
      return tokens + (text.length() == 0 ? 0 : encoding.countTokensOrdinary(text.toString()));
    }
  }
}
