package ai.poncho.chat;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The gateway's one JTokkit registry. A vocabulary is read on its first use and then kept (o200k_base is
 * about 30 MB of heap), so every token count shares this registry: a registry of its own would load a
 * second copy.
 */
public final class Vocabularies {

  private static final EncodingRegistry REGISTRY = Encodings.newLazyEncodingRegistry();
  private static final Map<EncodingType, Encoding> LOADED = new ConcurrentHashMap<>();

  private Vocabularies() {
  }

  public static Encoding get(EncodingType type) {
    return LOADED.computeIfAbsent(type, REGISTRY::getEncoding);
  }

  /** Whether {@code type}'s vocabulary was read already: reading it takes about half a second. */
  public static boolean loaded(EncodingType type) {
    return LOADED.containsKey(type);
  }
}
