package ai.poncho.chat;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;

/**
 * The gateway's one JTokkit registry. A vocabulary is read on its first use and then kept (o200k_base is
 * about 30 MB of heap), so every token count shares this registry: a registry of its own would load a
 * second copy.
 */
public final class Vocabularies {

  private static final EncodingRegistry REGISTRY = Encodings.newLazyEncodingRegistry();

  private Vocabularies() {
  }

  public static Encoding get(EncodingType type) {
    return REGISTRY.getEncoding(type);
  }
}
