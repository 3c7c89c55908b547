package ai.poncho.testing;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** Parses a Server-Sent Events body the way an OpenAI client does: events split by blank lines. */
public final class Sse {

  private Sse() {
  }

  /** The data payloads, in order ("[DONE]" included). */
  public static List<String> data(String body) {
    List<String> events = new ArrayList<>();
    for (String block : body.split("\n\n")) {
      StringBuilder data = new StringBuilder();
      for (String line : block.split("\n")) {
        if (line.startsWith("data:")) {
          if (!data.isEmpty()) {
            data.append('\n');
          }
          data.append(line.substring(line.startsWith("data: ") ? 6 : 5));
        }
      }
      if (!data.isEmpty()) {
        events.add(data.toString());
      }
    }
    return events;
  }

  /** The JSON events, without the final "[DONE]". */
  public static List<JsonObject> json(String body) {
    return data(body).stream().filter(d -> !d.equals("[DONE]")).map(JsonObject::new).toList();
  }

  /** The concatenated delta content of chat.completion.chunk events. */
  public static String content(List<JsonObject> chunks) {
    StringBuilder sb = new StringBuilder();
    for (JsonObject chunk : chunks) {
      for (Object choice : chunk.getJsonArray("choices")) {
        String piece = ((JsonObject) choice).getJsonObject("delta").getString("content");
        if (piece != null) {
          sb.append(piece);
        }
      }
    }
    return sb.toString();
  }
}
