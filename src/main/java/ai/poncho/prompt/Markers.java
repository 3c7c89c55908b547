package ai.poncho.prompt;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The markers the role, history, media and section helpers leave in rendered text, later split into
 * messages and parts as Dotprompt does. Unlike Dotprompt's fixed {@code <<<dotprompt:…>>>}, each render
 * gets a random tag, so a variable value can never forge a role switch or a media part.
 */
final class Markers {

  private static final String SUFFIX = ">>>";

  private final String prefix;
  private final Pattern roleOrHistory;
  private final Pattern mediaOrSection;

  Markers() {
    prefix = "<<<dotprompt-" + UUID.randomUUID().toString().replace("-", "") + ":";
    roleOrHistory = Pattern.compile("(" + Pattern.quote(prefix) + "(?:role:[a-z]+|history))" + Pattern.quote(SUFFIX));
    mediaOrSection = Pattern.compile("(" + Pattern.quote(prefix) + "(?:media:url|section).*?)" + Pattern.quote(SUFFIX));
  }

  String role(String role) {
    return prefix + "role:" + role + SUFFIX;
  }

  String history() {
    return prefix + "history" + SUFFIX;
  }

  String media(String url, String contentType) {
    return prefix + "media:url " + url + (contentType == null ? "" : " " + contentType) + SUFFIX;
  }

  String section(String name) {
    return prefix + "section " + name + SUFFIX;
  }

  /** The role of a role marker piece, or null when the piece is something else. */
  String roleOf(String piece) {
    return piece.startsWith(prefix + "role:") ? piece.substring(prefix.length() + 5) : null;
  }

  boolean isHistory(String piece) {
    return piece.equals(prefix + "history");
  }

  /** {@code [url, contentType-or-null]} of a media marker piece, or null. */
  String[] mediaOf(String piece) {
    if (!piece.startsWith(prefix + "media:url")) {
      return null;
    }
    String[] words = piece.substring(prefix.length()).split(" ");
    return new String[] {words.length > 1 ? words[1] : "", words.length > 2 ? words[2] : null};
  }

  /** The purpose of a section marker piece, or null. */
  String sectionOf(String piece) {
    if (!piece.startsWith(prefix + "section")) {
      return null;
    }
    String[] words = piece.substring(prefix.length()).split(" ");
    return words.length > 1 ? words[1] : "";
  }

  List<String> splitRoles(String text) {
    return split(text, roleOrHistory);
  }

  List<String> splitParts(String text) {
    return split(text, mediaOrSection);
  }

  /** Splits around the markers, keeping them (without the closing tag) and dropping blank pieces. */
  private static List<String> split(String text, Pattern pattern) {
    List<String> pieces = new ArrayList<>();
    Matcher m = pattern.matcher(text);
    int at = 0;
    while (m.find()) {
      add(pieces, text.substring(at, m.start()));
      add(pieces, m.group(1));
      at = m.end();
    }
    add(pieces, text.substring(at));
    return pieces;
  }

  private static void add(List<String> pieces, String piece) {
    if (!piece.isBlank()) {
      pieces.add(piece);
    }
  }
}
