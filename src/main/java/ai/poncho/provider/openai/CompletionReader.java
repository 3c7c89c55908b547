package ai.poncho.provider.openai;

import ai.poncho.chat.ChatMessage;
import ai.poncho.chat.ChatResponse;
import ai.poncho.chat.ToolCall;
import ai.poncho.chat.Usage;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.jackson.JacksonCodec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an upstream {@code chat.completion} body straight into a {@link ChatResponse}, with Jackson's
 * streaming parser instead of a {@code JsonObject} tree (the tree and its maps were most of the
 * non-streamed path's JSON cost). It gives what {@link ChatResponse#fromJson} gives for the body's tree, for
 * the usual shape only: anything else (not JSON, no choices, a value of an unexpected type or null where
 * the tree reader applies a default, content parts, a repeated field, text after the object) returns null,
 * and the caller reads the tree as before, so that its answer and its errors stay exactly as they were.
 */
final class CompletionReader {

  /** The body is not of the usual shape: the tree reader decides. */
  private static final class Unusual extends Exception {
    private static final Unusual INSTANCE = new Unusual();

    private Unusual() {
      super(null, null, false, false);
    }
  }

  private CompletionReader() {
  }

  static ChatResponse read(Buffer body) {
    try (JsonParser parser = JacksonCodec.createParser(body)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      ChatResponse response = response(parser);
      return parser.nextToken() == null ? response : null;
    } catch (IOException | Unusual e) {
      return null;
    }
  }

  private static ChatResponse response(JsonParser parser) throws IOException, Unusual {
    String id = null;
    String model = null;
    String fingerprint = null;
    long created = 0;
    List<ChatResponse.Choice> choices = null;
    Usage usage = null;
    int seen = 0;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      JsonToken value = parser.nextToken();
      switch (name) {
        case "id" -> {
          seen = once(seen, 1);
          id = string(parser, value);
        }
        case "created" -> {
          seen = once(seen, 2);
          created = longValue(parser, value);
        }
        case "model" -> {
          seen = once(seen, 4);
          model = string(parser, value);
        }
        case "system_fingerprint" -> {
          seen = once(seen, 8);
          fingerprint = string(parser, value);
        }
        case "choices" -> {
          seen = once(seen, 16);
          choices = choices(parser, value);
        }
        case "usage" -> {
          seen = once(seen, 32);
          usage = usage(parser, value);
        }
        default -> parser.skipChildren();
      }
    }
    if (choices == null) {
      throw Unusual.INSTANCE;
    }
    return new ChatResponse(id, created, model, choices, usage, fingerprint);
  }

  private static List<ChatResponse.Choice> choices(JsonParser parser, JsonToken value) throws IOException, Unusual {
    if (value != JsonToken.START_ARRAY) {
      throw Unusual.INSTANCE;
    }
    List<ChatResponse.Choice> choices = new ArrayList<>(1);
    JsonToken token;
    while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
      if (token != JsonToken.START_OBJECT) {
        throw Unusual.INSTANCE;
      }
      choices.add(choice(parser, choices.size()));
    }
    return choices;
  }

  private static ChatResponse.Choice choice(JsonParser parser, int position) throws IOException, Unusual {
    int index = position;
    ChatMessage message = new ChatMessage(ChatMessage.ASSISTANT, null, null, null, null, null);
    String finishReason = null;
    String stopSequence = null;
    int seen = 0;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      JsonToken value = parser.nextToken();
      switch (name) {
        case "index" -> {
          seen = once(seen, 1);
          index = intValue(parser, value);
        }
        case "message" -> {
          seen = once(seen, 2);
          if (value != JsonToken.START_OBJECT) {
            throw Unusual.INSTANCE;
          }
          message = message(parser);
        }
        case "finish_reason" -> {
          seen = once(seen, 4);
          finishReason = string(parser, value);
        }
        case "stop_sequence" -> {
          seen = once(seen, 8);
          stopSequence = string(parser, value);
        }
        default -> parser.skipChildren();
      }
    }
    return new ChatResponse.Choice(index, message, finishReason, stopSequence);
  }

  private static ChatMessage message(JsonParser parser) throws IOException, Unusual {
    String role = ChatMessage.ASSISTANT;
    String text = null;
    String name = null;
    List<ToolCall> toolCalls = null;
    String toolCallId = null;
    int seen = 0;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken value = parser.nextToken();
      switch (field) {
        case "role" -> {
          seen = once(seen, 1);
          role = present(string(parser, value));
        }
        case "content" -> {
          seen = once(seen, 2);
          text = string(parser, value);
        }
        case "name" -> {
          seen = once(seen, 4);
          name = string(parser, value);
        }
        case "tool_calls" -> {
          seen = once(seen, 8);
          toolCalls = value == JsonToken.VALUE_NULL ? null : toolCalls(parser, value);
        }
        case "tool_call_id" -> {
          seen = once(seen, 16);
          toolCallId = string(parser, value);
        }
        default -> parser.skipChildren();
      }
    }
    return new ChatMessage(role, text, null, name, toolCalls, toolCallId);
  }

  private static List<ToolCall> toolCalls(JsonParser parser, JsonToken value) throws IOException, Unusual {
    if (value != JsonToken.START_ARRAY) {
      throw Unusual.INSTANCE;
    }
    List<ToolCall> calls = new ArrayList<>();
    JsonToken token;
    while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
      if (token != JsonToken.START_OBJECT) {
        throw Unusual.INSTANCE;
      }
      String id = null;
      String type = "function";
      String name = null;
      String arguments = "";
      int seen = 0;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken fieldValue = parser.nextToken();
        switch (field) {
          case "id" -> {
            seen = once(seen, 1);
            id = string(parser, fieldValue);
          }
          case "type" -> {
            seen = once(seen, 2);
            type = present(string(parser, fieldValue));
          }
          case "function" -> {
            seen = once(seen, 4);
            if (fieldValue != JsonToken.START_OBJECT) {
              throw Unusual.INSTANCE;
            }
            int functionSeen = 0;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
              String key = parser.currentName();
              JsonToken keyValue = parser.nextToken();
              if (key.equals("name")) {
                functionSeen = once(functionSeen, 1);
                name = string(parser, keyValue);
              } else if (key.equals("arguments")) {
                functionSeen = once(functionSeen, 2);
                arguments = present(string(parser, keyValue));
              } else {
                parser.skipChildren();
              }
            }
          }
          default -> parser.skipChildren();
        }
      }
      calls.add(new ToolCall(id, type, name, arguments));
    }
    return calls;
  }

  private static Usage usage(JsonParser parser, JsonToken value) throws IOException, Unusual {
    if (value == JsonToken.VALUE_NULL) {
      return null;
    }
    if (value != JsonToken.START_OBJECT) {
      throw Unusual.INSTANCE;
    }
    Integer prompt = null;
    Integer completion = null;
    Integer total = null;
    int cached = 0;
    int seen = 0;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      JsonToken field = parser.nextToken();
      switch (name) {
        case "prompt_tokens" -> {
          seen = once(seen, 1);
          prompt = intValue(parser, field);
        }
        case "completion_tokens" -> {
          seen = once(seen, 2);
          completion = intValue(parser, field);
        }
        case "total_tokens" -> {
          seen = once(seen, 4);
          total = intValue(parser, field);
        }
        case "prompt_tokens_details" -> {
          seen = once(seen, 8);
          cached = cachedTokens(parser, field);
        }
        default -> parser.skipChildren();
      }
    }
    int p = prompt == null ? 0 : prompt;
    int c = completion == null ? 0 : completion;
    return new Usage(p, c, total == null ? p + c : total, cached);
  }

  private static int cachedTokens(JsonParser parser, JsonToken value) throws IOException, Unusual {
    if (value == JsonToken.VALUE_NULL) {
      return 0;
    }
    if (value != JsonToken.START_OBJECT) {
      throw Unusual.INSTANCE;
    }
    int cached = 0;
    int seen = 0;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      JsonToken field = parser.nextToken();
      if (name.equals("cached_tokens")) {
        seen = once(seen, 1);
        cached = intValue(parser, field);
      } else {
        parser.skipChildren();
      }
    }
    return cached;
  }

  /** A string or JSON null; any other value is unusual (the tree reader would fail on it). */
  private static String string(JsonParser parser, JsonToken value) throws IOException, Unusual {
    if (value == JsonToken.VALUE_STRING) {
      return parser.getText();
    }
    if (value == JsonToken.VALUE_NULL) {
      return null;
    }
    throw Unusual.INSTANCE;
  }

  /** A null where the tree reader has a default for a missing field: its treatment of null is its own. */
  private static String present(String value) throws Unusual {
    if (value == null) {
      throw Unusual.INSTANCE;
    }
    return value;
  }

  private static int intValue(JsonParser parser, JsonToken value) throws IOException, Unusual {
    if (value != JsonToken.VALUE_NUMBER_INT || parser.getNumberType() != JsonParser.NumberType.INT) {
      throw Unusual.INSTANCE;
    }
    return parser.getIntValue();
  }

  private static long longValue(JsonParser parser, JsonToken value) throws IOException, Unusual {
    if (value != JsonToken.VALUE_NUMBER_INT || parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
      throw Unusual.INSTANCE;
    }
    return parser.getLongValue();
  }

  /** A field read twice: the tree keeps the last one; rare enough to leave to it. */
  private static int once(int seen, int bit) throws Unusual {
    if ((seen & bit) != 0) {
      throw Unusual.INSTANCE;
    }
    return seen | bit;
  }
}
