package ai.poncho.prompt;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns rendered text into messages exactly as Dotprompt's {@code toMessages}: role markers start a new
 * message (or rename an empty one), {@code {{history}}} inserts the history and opens a model message,
 * media and section markers become parts; history not placed by the template goes before the last user
 * message, or at the end.
 */
final class MessageAssembler {

  private MessageAssembler() {
  }

  static List<PromptMessage> toMessages(String rendered, Markers markers, List<PromptMessage> history) {
    List<Source> sources = new ArrayList<>();
    Source current = new Source("user");
    sources.add(current);
    for (String piece : markers.splitRoles(rendered)) {
      String role = markers.roleOf(piece);
      if (role != null) {
        if (!current.text.toString().isBlank()) {
          current = new Source(role);
          sources.add(current);
        } else {
          current.role = role;
        }
      } else if (markers.isHistory(piece)) {
        for (PromptMessage message : history) {
          sources.add(new Source(message.asHistory()));
        }
        current = new Source(PromptMessage.MODEL);
        sources.add(current);
      } else {
        current.text.append(piece);
      }
    }
    List<PromptMessage> messages = new ArrayList<>();
    for (Source source : sources) {
      if (source.message != null) {
        messages.add(source.message);
      } else if (!source.text.isEmpty()) {
        messages.add(new PromptMessage(source.role, parts(source.text.toString(), markers), null, null));
      }
    }
    return insertHistory(messages, history);
  }

  private static List<PromptPart> parts(String text, Markers markers) {
    List<PromptPart> parts = new ArrayList<>();
    for (String piece : markers.splitParts(text)) {
      String[] media = markers.mediaOf(piece);
      String section = media == null ? markers.sectionOf(piece) : null;
      if (media != null) {
        parts.add(PromptPart.media(media[0], media[1]));
      } else if (section != null) {
        parts.add(PromptPart.section(section));
      } else {
        parts.add(PromptPart.text(piece));
      }
    }
    return parts;
  }

  private static List<PromptMessage> insertHistory(List<PromptMessage> messages, List<PromptMessage> history) {
    if (history.isEmpty() || messages.stream().anyMatch(PromptMessage::isHistory)) {
      return messages;
    }
    // As in Dotprompt, history placed here (not by {{history}}) keeps its own metadata.
    List<PromptMessage> marked = history;
    if (messages.isEmpty()) {
      return marked;
    }
    List<PromptMessage> result = new ArrayList<>(messages);
    PromptMessage last = messages.get(messages.size() - 1);
    if ("user".equals(last.role())) {
      result.remove(result.size() - 1);
      result.addAll(marked);
      result.add(last);
    } else {
      result.addAll(marked);
    }
    return result;
  }

  /** A message being collected: rendered text for a role, or a history message taken as is. */
  private static final class Source {
    private String role;
    private final StringBuilder text = new StringBuilder();
    private final PromptMessage message;

    Source(String role) {
      this.role = role;
      this.message = null;
    }

    Source(PromptMessage message) {
      this.role = message.role();
      this.message = message;
    }
  }
}
