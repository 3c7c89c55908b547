package ai.poncho.provider.openai;

import ai.poncho.chat.ChatChunk;
import ai.poncho.chat.ToolCallDelta;
import ai.poncho.chat.Usage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an OpenAI {@code chat.completion.chunk} event straight into a {@link ChatChunk}: a small JSON
 * scanner over the event's UTF-8 bytes takes the fields a chunk has as they come and steps over the rest,
 * instead of building a {@code JsonObject} tree per event and reading it again (that, and a parser per
 * event, was the largest share of the streamed path's CPU). It scans bytes, not a decoded string: only
 * the values a chunk keeps become strings (structural characters, quotes and backslashes are ASCII and
 * never part of a multi-byte UTF-8 sequence). Strict JSON (RFC 8259); gives the same chunk as
 * {@link ChatChunk#fromJson} of the parsed tree, including the positional index of a tool-call fragment
 * that has none. Only the rare nested parts (usage, tool calls) are read as trees.
 */
final class ChunkReader {

  /** The event is not a JSON object, or a field has the wrong type. */
  static final class Malformed extends Exception {
    Malformed(String message) {
      super(message, null, false, false);
    }
  }

  private final byte[] text;
  private final int end;
  private int pos;
  /** The current field's name: where it is in the text, or {@code escapedName} when it has escapes. */
  private int nameStart;
  private int nameEnd;
  private String escapedName;

  private ChunkReader(byte[] text, int from, int to) {
    this.text = text;
    this.pos = from;
    this.end = to;
  }

  /** The chunk of {@code data}, or null when the event carries an {@code error} (the caller reads it whole). */
  static ChatChunk read(String data) throws Malformed {
    byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
    return read(bytes, 0, bytes.length);
  }

  /** As {@link #read(String)}, for the UTF-8 text in {@code data[from, to)}. */
  static ChatChunk read(byte[] data, int from, int to) throws Malformed {
    ChunkReader reader = new ChunkReader(data, from, to);
    try {
      ChatChunk chunk = reader.chunk();
      if (chunk != null && reader.skipSpace() < to) {
        throw new Malformed("an event is not JSON");
      }
      return chunk;
    } catch (IndexOutOfBoundsException | NumberFormatException e) {
      throw new Malformed("an event is not JSON");
    }
  }

  /** The byte at {@code i}; past the event's end, as reading past a string's end does. */
  private byte at(int i) {
    if (i >= end) {
      throw new IndexOutOfBoundsException(i);
    }
    return text[i];
  }

  private ChatChunk chunk() throws Malformed {
    String id = null;
    String model = null;
    long created = 0;
    List<ChatChunk.Choice> choices = List.of();
    Usage usage = null;
    expect('{');
    for (boolean more = firstField(); more; more = nextField()) {
      if (named("id")) {
        id = string();
      } else if (named("model")) {
        model = string();
      } else if (named("created")) {
        created = isNull() ? 0 : number().longValue();
      } else if (named("choices")) {
        choices = isNull() ? List.of() : choices();
      } else if (named("usage")) {
        usage = isNull() ? null : Usage.fromJson(object());
      } else if (named("error")) {
        if (!isNull()) {
          return null;
        }
      } else {
        skipValue();
      }
    }
    return new ChatChunk(id, created, model, choices, usage);
  }

  private List<ChatChunk.Choice> choices() throws Malformed {
    expect('[');
    List<ChatChunk.Choice> choices = new ArrayList<>(1);
    if (peek() == ']') {
      pos++;
      return choices;
    }
    do {
      int index = choices.size();
      ChatChunk.Delta delta = null;
      String finishReason = null;
      String stopSequence = null;
      expect('{');
      for (boolean more = firstField(); more; more = nextField()) {
        if (named("index")) {
          index = isNull() ? choices.size() : number().intValue();
        } else if (named("delta")) {
          delta = isNull() ? null : delta();
        } else if (named("finish_reason")) {
          finishReason = string();
        } else if (named("stop_sequence")) {
          stopSequence = string();
        } else {
          skipValue();
        }
      }
      choices.add(new ChatChunk.Choice(index, delta != null ? delta : new ChatChunk.Delta(null, null, null),
          finishReason, stopSequence));
    } while (more(']'));
    return choices;
  }

  private ChatChunk.Delta delta() throws Malformed {
    String role = null;
    String content = null;
    List<ToolCallDelta> calls = null;
    expect('{');
    for (boolean more = firstField(); more; more = nextField()) {
      if (named("content")) {
        content = string();
      } else if (named("role")) {
        role = string();
      } else if (named("tool_calls")) {
        calls = isNull() ? null : toolCalls(array());
      } else {
        skipValue();
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
      try {
        calls.add(ToolCallDelta.fromJson(call));
      } catch (ClassCastException e) {
        throw new Malformed("a tool call has a field of the wrong type");
      }
    }
    return calls;
  }

  // ---- the scanner ------------------------------------------------------------------------------

  /** After '{': positions at the first field's value, or consumes the '}' of an empty object. */
  private boolean firstField() throws Malformed {
    if (peek() == '}') {
      pos++;
      return false;
    }
    fieldName();
    return true;
  }

  /** After a field's value: positions at the next field's value, or consumes the object's '}'. */
  private boolean nextField() throws Malformed {
    if (!more('}')) {
      return false;
    }
    fieldName();
    return true;
  }

  /** Reads a field name in place: a chunk's names are compared where they are, not copied. */
  private void fieldName() throws Malformed {
    if (peek() != '"') {
      throw new Malformed("an event is not JSON");
    }
    int start = pos + 1;
    int close = plainEnd(start);
    if (close < 0) {
      escapedName = rawString();
    } else {
      escapedName = null;
      nameStart = start;
      nameEnd = close;
      pos = close + 1;
    }
    expect(':');
  }

  /** Names are ASCII: a name with other bytes is never one of them. */
  private boolean named(String name) {
    if (escapedName != null) {
      return escapedName.equals(name);
    }
    int length = name.length();
    if (nameEnd - nameStart != length) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      if (text[nameStart + i] != name.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private String currentName() {
    return escapedName != null ? escapedName : decode(nameStart, nameEnd);
  }

  /** After an element: true at a comma (another follows), false at {@code close}. */
  private boolean more(char close) throws Malformed {
    char c = peek();
    pos++;
    if (c == ',') {
      return true;
    }
    if (c != close) {
      throw new Malformed("an event is not JSON");
    }
    return false;
  }

  private int skipSpace() {
    while (pos < end) {
      byte c = text[pos];
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
        break;
      }
      pos++;
    }
    return pos;
  }

  /** The next character that is not white space; a byte of a multi-byte character matches no ASCII one. */
  private char peek() {
    skipSpace();
    return (char) (at(pos) & 0xFF);
  }

  private void expect(char c) throws Malformed {
    if (peek() != c) {
      throw new Malformed("an event is not JSON");
    }
    pos++;
  }

  /** At a value: consumes it when it is {@code null}. */
  private boolean isNull() throws Malformed {
    if (peek() == 'n') {
      literal("null");
      return true;
    }
    return false;
  }

  private String string() throws Malformed {
    if (isNull()) {
      return null;
    }
    if (peek() != '"') {
      throw new Malformed("'" + currentName() + "' is not a string");
    }
    return rawString();
  }

  private Number number() throws Malformed {
    char c = peek();
    if (c != '-' && (c < '0' || c > '9')) {
      throw new Malformed("'" + currentName() + "' is not a number");
    }
    return rawNumber();
  }

  /**
   * From {@code from} (after an opening quote): the closing quote's position when the string has no
   * escape and no raw control character up to it (its bytes are then the string itself), else -1.
   */
  private int plainEnd(int from) {
    byte[] bytes = text;
    int to = end;
    for (int i = from; i < to; i++) {
      byte c = bytes[i];
      if (c == '"') {
        return i;
      }
      if (c == '\\' || (c >= 0 && c < 0x20)) {
        return -1;
      }
    }
    throw new IndexOutOfBoundsException(to);
  }

  /**
   * Text {@code [from, to)} as UTF-8. A malformed sequence at its end would be replaced otherwise than
   * when the whole event is decoded at once (where the closing quote follows it), so a string with a
   * replacement character is decoded again with that quote.
   */
  private String decode(int from, int to) {
    String value = new String(text, from, to - from, StandardCharsets.UTF_8);
    if (value.indexOf('\uFFFD') < 0) {
      return value;
    }
    String withQuote = new String(text, from, to + 1 - from, StandardCharsets.UTF_8);
    return withQuote.substring(0, withQuote.length() - 1);
  }

  /** At the opening quote. */
  private String rawString() throws Malformed {
    int start = pos + 1;
    int close = plainEnd(start);
    if (close >= 0) {
      pos = close + 1;
      return decode(start, close);
    }
    int i = start;
    while (true) {
      byte c = at(i);
      if (c == '"') {
        break;
      }
      if (c >= 0 && c < 0x20) {
        throw new Malformed("an event is not JSON");
      }
      i += c == '\\' ? 2 : 1;
    }
    pos = i + 1;
    return unescape(decode(start, i));
  }

  /** The string of the text between the quotes, which has escapes. */
  private static String unescape(String raw) throws Malformed {
    StringBuilder out = new StringBuilder(raw.length());
    int pos = 0;
    while (pos < raw.length()) {
      char c = raw.charAt(pos++);
      if (c != '\\') {
        out.append(c);
        continue;
      }
      char e = raw.charAt(pos++);
      switch (e) {
        case '"', '\\', '/' -> out.append(e);
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case 'u' -> {
          int code = 0;
          for (int i = 0; i < 4; i++) {
            int digit = Character.digit(raw.charAt(pos++), 16);
            if (digit < 0) {
              throw new Malformed("an event is not JSON");
            }
            code = code * 16 + digit;
          }
          out.append((char) code);
        }
        default -> throw new Malformed("an event is not JSON");
      }
    }
    return out.toString();
  }

  /** At the first character; numbers as Jackson reads them: Integer, Long or BigInteger, else Double. */
  private Number rawNumber() throws Malformed {
    int start = pos;
    boolean negative = at(pos) == '-';
    if (negative) {
      pos++;
    }
    int digits = digits();
    if (digits == 0 || (digits > 1 && text[pos - digits] == '0')) {
      throw new Malformed("an event is not JSON");
    }
    boolean integral = true;
    if (pos < end && text[pos] == '.') {
      pos++;
      integral = false;
      if (digits() == 0) {
        throw new Malformed("an event is not JSON");
      }
    }
    if (pos < end && (text[pos] == 'e' || text[pos] == 'E')) {
      pos++;
      integral = false;
      if (pos < end && (text[pos] == '+' || text[pos] == '-')) {
        pos++;
      }
      if (digits() == 0) {
        throw new Malformed("an event is not JSON");
      }
    }
    if (integral && digits <= 18) {
      long value = 0;
      for (int i = pos - digits; i < pos; i++) {
        value = value * 10 + (text[i] - '0');
      }
      value = negative ? -value : value;
      return value == (int) value ? (Number) (int) value : (Number) value;
    }
    String number = new String(text, start, pos - start, StandardCharsets.ISO_8859_1);
    if (!integral) {
      return Double.parseDouble(number);
    }
    BigInteger big = new BigDecimal(number).toBigIntegerExact();
    return big.bitLength() < 64 ? (Number) big.longValue() : big;
  }

  private int digits() {
    int start = pos;
    while (pos < end && text[pos] >= '0' && text[pos] <= '9') {
      pos++;
    }
    return pos - start;
  }

  private void literal(String word) throws Malformed {
    for (int i = 0; i < word.length(); i++) {
      if (pos + i >= end || text[pos + i] != word.charAt(i)) {
        throw new Malformed("an event is not JSON");
      }
    }
    pos += word.length();
  }

  private JsonObject object() throws Malformed {
    if (peek() != '{') {
      throw new Malformed("an event is not JSON");
    }
    Object value = value();
    return (JsonObject) value;
  }

  private JsonArray array() throws Malformed {
    if (peek() != '[') {
      throw new Malformed("an event is not JSON");
    }
    return (JsonArray) value();
  }

  /** Steps over a value the chunk does not need, checking its syntax, without building it. */
  private void skipValue() throws Malformed {
    char c = peek();
    if (c == '"') {
      int close = plainEnd(pos + 1);
      if (close >= 0) {
        pos = close + 1;
      } else {
        rawString();
      }
    } else if (c == '{') {
      pos++;
      for (boolean more = firstField(); more; more = nextField()) {
        skipValue();
      }
    } else if (c == '[') {
      pos++;
      if (peek() == ']') {
        pos++;
        return;
      }
      do {
        skipValue();
      } while (more(']'));
    } else {
      value();
    }
  }

  /** Any value, as a {@code JsonObject} tree would hold it (null as null). */
  private Object value() throws Malformed {
    char c = peek();
    switch (c) {
      case '{' -> {
        pos++;
        JsonObject object = new JsonObject();
        for (boolean more = firstField(); more; more = nextField()) {
          object.put(currentName(), value());
        }
        return object;
      }
      case '[' -> {
        pos++;
        JsonArray array = new JsonArray();
        if (peek() == ']') {
          pos++;
          return array;
        }
        do {
          array.add(value());
        } while (more(']'));
        return array;
      }
      case '"' -> {
        return rawString();
      }
      case 't' -> {
        literal("true");
        return Boolean.TRUE;
      }
      case 'f' -> {
        literal("false");
        return Boolean.FALSE;
      }
      case 'n' -> {
        literal("null");
        return null;
      }
      default -> {
        if (c == '-' || (c >= '0' && c <= '9')) {
          return rawNumber();
        }
        throw new Malformed("an event is not JSON");
      }
    }
  }
}
