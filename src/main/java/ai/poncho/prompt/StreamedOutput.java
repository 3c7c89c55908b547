package ai.poncho.prompt;

import ai.poncho.chat.ChatChunk;
import io.vertx.core.json.JsonObject;

/**
 * The {@code output.format: json} check of a streamed prompt execution, run where the stream is written
 * (SSE, WebSocket): it collects the first choice's text and, at the end, parses and checks it as a
 * non-streamed execution does.
 */
public final class StreamedOutput {

  private final SchemaCheck schema;
  private final StringBuilder text = new StringBuilder();

  private StreamedOutput(SchemaCheck schema) {
    this.schema = schema;
  }

  /** The check a prompt stream asks for ({@code StreamStarted.output()}), or null when it asks for none. */
  public static StreamedOutput of(JsonObject spec) {
    if (spec == null) {
      return null;
    }
    JsonObject schema = spec.getJsonObject("schema");
    return new StreamedOutput(schema == null ? null : new SchemaCheck(schema));
  }

  /** What a prompt stream's start carries for this prompt: null unless its output format is JSON. */
  static JsonObject spec(CompiledPrompt prompt) {
    if (!prompt.metadata().jsonOutput()) {
      return null;
    }
    JsonObject spec = new JsonObject();
    if (prompt.metadata().outputSchema() != null) {
      spec.put("schema", prompt.metadata().outputSchema());
    }
    return spec;
  }

  public void add(ChatChunk chunk) {
    for (ChatChunk.Choice choice : chunk.choices()) {
      if (choice.index() == 0 && choice.delta().content() != null) {
        text.append(choice.delta().content());
      }
    }
  }

  /** {@code output_status}, {@code output} and, when not valid, {@code output_error} and {@code output_violations}. */
  public JsonObject result() {
    return fields(OutputCheck.check(text.toString(), schema));
  }

  /** An {@link OutputCheck} result as the response fields a client sees. */
  public static JsonObject fields(JsonObject check) {
    JsonObject fields = new JsonObject().put("output_status", check.getString("status"))
        .put("output", check.getValue("output"));
    if (check.containsKey("error")) {
      fields.put("output_error", check.getString("error"));
    }
    if (check.containsKey("violations")) {
      fields.put("output_violations", check.getJsonArray("violations"));
    }
    return fields;
  }
}
