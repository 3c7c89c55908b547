package ai.poncho.provider.openai;

import ai.poncho.chat.ChatChunk;
import ai.poncho.chat.ToolCallDelta;
import ai.poncho.chat.Usage;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an OpenAI {@code chat.completion.chunk} event straight into a {@link ChatChunk} with Jackson's
 * streaming parser: the fields a chunk has are taken as they come and everything else is skipped,
 * instead of building a {@code JsonObject} tree per event and reading it again. Gives the same chunk as
 * {@link ChatChunk#fromJson} of the parsed tree, including the positional index of a tool-call fragment
 * that has none.
 */
final class ChunkReader {

  /** The event is not a JSON object, or a field has the wrong type. */
  static final class Malformed extends Exception {
    Malformed(String message) {
      super(message, null, false, false);
    }
  }

  private ChunkReader() {
  }

  /** The chunk of {@code data}, or null when the event carries an {@code error} (the caller reads it whole). */
  static ChatChunk read(String data) throws Malformed {
    try (JsonParser parser = JacksonCodec.createParser(data)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new Malformed("an event is not JSON");
      }
      ChatChunk chunk = chunk(parser);
      if (chunk != null && parser.nextToken() != null) {
        throw new Malformed("an event is not JSON");
      }
      return chunk;
    } catch (IOException e) {
      throw new Malformed("an event is not JSON");
    }
  }

  private static ChatChunk chunk(JsonParser parser) throws IOException, Malformed {
    String id = null;
    String model = null;
    long created = 0;
    List<ChatChunk.Choice> choices = List.of();
    Usage usage = null;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken value = parser.nextToken();
      switch (field) {
        case "id" -> id = string(parser, value);
        case "model" -> model = string(parser, value);
        case "created" -> created = value == JsonToken.VALUE_NULL ? 0 : number(parser, value).longValue();
        case "choices" -> choices = value == JsonToken.VALUE_NULL ? List.of() : choices(parser, value);
        case "usage" -> usage = value == JsonToken.VALUE_NULL ? null : Usage.fromJson(object(parser, value));
        case "error" -> {
          if (value != JsonToken.VALUE_NULL) {
            return null;
          }
        }
        default -> parser.skipChildren();
      }
    }
    return new ChatChunk(id, created, model, choices, usage);
  }

  private static List<ChatChunk.Choice> choices(JsonParser parser, JsonToken start) throws IOException, Malformed {
    expect(start, JsonToken.START_ARRAY);
    List<ChatChunk.Choice> choices = new ArrayList<>(1);
    for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
      expect(token, JsonToken.START_OBJECT);
      int index = choices.size();
      ChatChunk.Delta delta = null;
      String finishReason = null;
      String stopSequence = null;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        switch (field) {
          case "index" -> index = value == JsonToken.VALUE_NULL ? choices.size() : number(parser, value).intValue();
          case "delta" -> delta = value == JsonToken.VALUE_NULL ? null : delta(parser, value);
          case "finish_reason" -> finishReason = string(parser, value);
          case "stop_sequence" -> stopSequence = string(parser, value);
          default -> parser.skipChildren();
        }
      }
      choices.add(new ChatChunk.Choice(index, delta != null ? delta : new ChatChunk.Delta(null, null, null),
          finishReason, stopSequence));
    }
    return choices;
  }

  private static ChatChunk.Delta delta(JsonParser parser, JsonToken start) throws IOException, Malformed {
    expect(start, JsonToken.START_OBJECT);
    String role = null;
    String content = null;
    List<ToolCallDelta> calls = null;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken value = parser.nextToken();
      switch (field) {
        case "role" -> role = string(parser, value);
        case "content" -> content = string(parser, value);
        case "tool_calls" -> calls = value == JsonToken.VALUE_NULL ? null : toolCalls(array(parser, value));
        default -> parser.skipChildren();
      }
    }
    return new ChatChunk.Delta(role, content, calls);
  }

  /** Some compatible servers omit the index of a tool-call delta; its position is its index then. */
  private static List<ToolCallDelta> toolCalls(JsonArray array) throws Malformed {
    List<ToolCallDelta> calls = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      if (!(array.getValue(i) instanceof JsonObject call)) {
        throw new Malformed("a tool call is not an object");
      }
      if (call.getValue("index") == null) {
        call.put("index", i);
      }
      calls.add(ToolCallDelta.fromJson(call));
    }
    return calls;
  }

  private static String string(JsonParser parser, JsonToken value) throws IOException, Malformed {
    if (value == JsonToken.VALUE_NULL) {
      return null;
    }
    if (value != JsonToken.VALUE_STRING) {
      throw new Malformed("'" + parser.currentName() + "' is not a string");
    }
    return parser.getText();
  }

  private static Number number(JsonParser parser, JsonToken value) throws IOException, Malformed {
    if (value != JsonToken.VALUE_NUMBER_INT && value != JsonToken.VALUE_NUMBER_FLOAT) {
      throw new Malformed("'" + parser.currentName() + "' is not a number");
    }
    return parser.getNumberValue();
  }

  private static JsonObject object(JsonParser parser, JsonToken start) throws IOException, Malformed {
    expect(start, JsonToken.START_OBJECT);
    JsonObject object = new JsonObject();
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      object.put(field, value(parser, parser.nextToken()));
    }
    return object;
  }

  private static JsonArray array(JsonParser parser, JsonToken start) throws IOException, Malformed {
    expect(start, JsonToken.START_ARRAY);
    JsonArray array = new JsonArray();
    for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
      array.add(value(parser, token));
    }
    return array;
  }

  private static Object value(JsonParser parser, JsonToken token) throws IOException, Malformed {
    return switch (token) {
      case START_OBJECT -> object(parser, token);
      case START_ARRAY -> array(parser, token);
      case VALUE_STRING -> parser.getText();
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> parser.getNumberValue();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NULL -> null;
      default -> throw new Malformed("an event is not JSON");
    };
  }

  private static void expect(JsonToken token, JsonToken wanted) throws Malformed {
    if (token != wanted) {
      throw new Malformed("an event is not JSON");
    }
  }
}
